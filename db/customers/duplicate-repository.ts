import type { Trx } from '../knex.js';
import type { PairFeatures } from './duplicate-rules.js';

// Only status active|inactive customers take part: merged, deleted and erased records are history.
const LIVE = ['active', 'inactive'];
/** Enough rows to score for one probe, even on a birthday shared by many customers of a large store. */
const PROBE_ROW_CAP = 500;

export interface ProbeValues {
  firstName: string | null;
  lastName: string | null;
  birthday: string | null;
  email: string | null;
  phone: string | null;
  driversLicenseBidx: string | null;
  medicalCardBidx: string | null;
}

export interface CandidateRow {
  customerId: string;
  firstName: string | null;
  lastName: string | null;
  features: PairFeatures;
}

/**
 * Customers of the store that share an identifier or the birthday with the probe, each branch an
 * index lookup on (store_id, column), with what they share. The name comparison is left to the rules.
 */
export async function findProbeCandidates(
  trx: Trx,
  scope: { orgId: string; storeId: string },
  probe: ProbeValues,
  excludeId: string | undefined,
): Promise<CandidateRow[]> {
  const branches: Array<[string, string | null]> = [
    ['email', probe.email],
    ['phone', probe.phone],
    ['drivers_license_bidx', probe.driversLicenseBidx],
    ['medical_card_bidx', probe.medicalCardBidx],
    ['birthday', probe.birthday],
  ];
  const present = branches.filter((b): b is [string, string] => Boolean(b[1]));
  if (present.length === 0) return [];
  const fullName = [probe.firstName, probe.lastName].filter(Boolean).join(' ');
  const query = trx('customers as c')
    .where({ 'c.organization_id': scope.orgId, 'c.store_id': scope.storeId })
    .whereIn('c.status', LIVE)
    .where((w) => {
      for (const [column, value] of present) w.orWhere(`c.${column}`, value);
    })
    .select(
      'c.id',
      'c.first_name',
      'c.last_name',
      'c.first_name_folded',
      'c.last_name_folded',
      trx.raw('c.email = ? as email_eq', [probe.email]),
      trx.raw('c.phone = ? as phone_eq', [probe.phone]),
      trx.raw('c.drivers_license_bidx = ? as dl_eq', [probe.driversLicenseBidx]),
      trx.raw('c.medical_card_bidx = ? as mc_eq', [probe.medicalCardBidx]),
      trx.raw('c.birthday::text as birthday'),
      trx.raw('patron_fold(?::text) as probe_first', [probe.firstName]),
      trx.raw('patron_fold(?::text) as probe_last', [probe.lastName]),
      trx.raw("case when ? = '' then null else similarity(c.full_name_folded, patron_fold(?::text)) end as trigram", [
        fullName,
        fullName,
      ]),
    )
    .limit(PROBE_ROW_CAP);
  if (excludeId) query.whereNot('c.id', excludeId);
  const rows = await query;
  return rows.map((r) => ({
    customerId: r.id,
    firstName: r.first_name,
    lastName: r.last_name,
    features: {
      driversLicense: r.dl_eq === true,
      medicalCard: r.mc_eq === true,
      email: r.email_eq === true,
      phone: r.phone_eq === true,
      birthday: !probe.birthday || !r.birthday ? 'unknown' : probe.birthday === r.birthday ? 'same' : 'different',
      a: { first: r.probe_first, last: r.probe_last },
      b: { first: r.first_name_folded, last: r.last_name_folded },
      trigram: r.trigram === null ? null : Number(r.trigram),
    },
  }));
}

export interface PairRow {
  /** The two customer ids, lower first. */
  ids: [string, string];
  features: PairFeatures;
}

/**
 * An identifier shared by more customers than this is a placeholder (the store's own phone, a
 * "none@none.com"), not a person: it proposes no pairs. A household is smaller.
 */
const SHARED_IDENTIFIER_CAP = 10;
/** Birthdays shared by more customers than this (1900-01-01, 2000-01-01…) are placeholders too. */
const SHARED_BIRTHDAY_CAP = 200;
/**
 * Same-birthday pairs are compared further only when some part of the names shares trigrams: cheap,
 * and loose enough for two typos in short names ("jon smyth" / "john smith" ≥ 0.3 on a part).
 */
const BIRTHDAY_NAME_PREFILTER = 0.3;

/**
 * Every candidate pair of the store in one set-based query: self-joins of the live customers on each
 * identifier and on the birthday (with a trigram prefilter on the names), with what each pair shares.
 */
export async function findStorePairs(trx: Trx, scope: { orgId: string; storeId: string }): Promise<PairRow[]> {
  const { rows } = await trx.raw(
    `
    with live as materialized (
      select id, email, phone, drivers_license_bidx as dl, medical_card_bidx as mc, birthday,
             first_name_folded as ff, last_name_folded as lf, full_name_folded as fn,
             count(*) over (partition by email) as email_n,
             count(*) over (partition by phone) as phone_n,
             count(*) over (partition by birthday) as birthday_n
      from customers
      where organization_id = :orgId and store_id = :storeId and status in ('active', 'inactive')
    ),
    pairs as (
      select a.id as a_id, b.id as b_id from live a join live b on a.email = b.email and a.id < b.id
        where a.email_n <= :idCap
      union
      select a.id, b.id from live a join live b on a.phone = b.phone and a.id < b.id
        where a.phone_n <= :idCap
      union
      select a.id, b.id from live a join live b on a.dl = b.dl and a.id < b.id
      union
      select a.id, b.id from live a join live b on a.mc = b.mc and a.id < b.id
      union
      select a.id, b.id from live a join live b on a.birthday = b.birthday and a.id < b.id
        where a.birthday_n <= :birthdayCap
          and greatest(similarity(a.ff, b.ff), similarity(a.lf, b.lf), similarity(a.ff, b.lf), similarity(a.lf, b.ff))
              >= :prefilter
    )
    select a.id as a_id, b.id as b_id,
           a.email = b.email as email_eq, a.phone = b.phone as phone_eq,
           a.dl = b.dl as dl_eq, a.mc = b.mc as mc_eq,
           a.birthday::text as a_birthday, b.birthday::text as b_birthday,
           a.ff as a_first, a.lf as a_last, b.ff as b_first, b.lf as b_last,
           similarity(a.fn, b.fn) as trigram
    from pairs p join live a on a.id = p.a_id join live b on b.id = p.b_id`,
    {
      orgId: scope.orgId,
      storeId: scope.storeId,
      idCap: SHARED_IDENTIFIER_CAP,
      birthdayCap: SHARED_BIRTHDAY_CAP,
      prefilter: BIRTHDAY_NAME_PREFILTER,
    },
  );
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return rows.map((r: Record<string, any>) => ({
    ids: [r.a_id, r.b_id] as [string, string],
    features: {
      driversLicense: r.dl_eq === true,
      medicalCard: r.mc_eq === true,
      email: r.email_eq === true,
      phone: r.phone_eq === true,
      birthday: !r.a_birthday || !r.b_birthday ? 'unknown' : r.a_birthday === r.b_birthday ? 'same' : 'different',
      a: { first: r.a_first, last: r.a_last },
      b: { first: r.b_first, last: r.b_last },
      trigram: r.trigram === null ? null : Number(r.trigram),
    },
  }));
}

/** Raw rows (select *) of the given customers of the store, whatever their status. */
export async function findCustomerRowsByIds(trx: Trx, scope: { orgId: string; storeId: string }, ids: string[]) {
  if (ids.length === 0) return [];
  return trx('customers').where({ organization_id: scope.orgId, store_id: scope.storeId }).whereIn('id', ids);
}
