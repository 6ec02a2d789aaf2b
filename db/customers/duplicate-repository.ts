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
      birthdays: [probe.birthday, r.birthday],
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
 * Same-birthday pairs are compared further only when their full names share trigrams (word trigrams, so
 * swapped names too): cheap, and loose enough for two typos in short names ("ekvin wdod" / "kevin wood"
 * is 0.22); the rules decide on the rest.
 */
const BIRTHDAY_NAME_PREFILTER = 0.15;

/**
 * Groups of 2..cap live customers sharing `column`. Plain hash aggregates over the one scan: they need no
 * statistics to plan well (a freshly loaded store has none), unlike joins.
 */
const groupsSharing = (column: string, cap: string, names: boolean) => `
      select array_agg(id) as ids, ${names ? 'array_agg(fn)' : 'null::text[]'} as fn from live
       where ${column} is not null group by ${column} having count(*) between 2 and ${cap}`;

/**
 * Every candidate pair of the store in one set-based query and one scan of its customers: the live
 * customers are grouped by each identifier and by birthday (hash aggregates, no self-join), pairs are
 * drawn inside each small group (same-birthday pairs only when the names share trigrams), and each pair
 * is joined back by primary key for what the two share. Linear in the store's size.
 */
export async function findStorePairs(trx: Trx, scope: { orgId: string; storeId: string }): Promise<PairRow[]> {
  // The planner cannot know how small the groups are; its row estimate is huge, and JIT compiling the
  // query would cost more than running it.
  await trx.raw('set local jit = off');
  const { rows } = await trx.raw(
    `
    with live as materialized (
      select id, email, phone, drivers_license_bidx as dl, medical_card_bidx as mc, birthday, full_name_folded as fn
        from customers
       where organization_id = :orgId and store_id = :storeId and status in ('active', 'inactive')
    ),
    groups as (
      ${['email', 'phone', 'dl', 'mc'].map((c) => groupsSharing(c, ':idCap', false)).join(' union all ')}
      union all ${groupsSharing('birthday', ':birthdayCap', true)}
    ),
    pairs as (
      select distinct least(g.ids[i], g.ids[j]) as a_id, greatest(g.ids[i], g.ids[j]) as b_id
        from groups g, generate_subscripts(g.ids, 1) i, generate_subscripts(g.ids, 1) j
       where case when i >= j then false
                  when g.fn is null then true
                  else similarity(g.fn[i], g.fn[j]) >= :prefilter
             end
    )
    select a.id as a_id, b.id as b_id,
           a.email = b.email as email_eq, a.phone = b.phone as phone_eq,
           a.drivers_license_bidx = b.drivers_license_bidx as dl_eq,
           a.medical_card_bidx = b.medical_card_bidx as mc_eq,
           a.birthday::text as a_birthday, b.birthday::text as b_birthday,
           a.first_name_folded as a_first, a.last_name_folded as a_last,
           b.first_name_folded as b_first, b.last_name_folded as b_last,
           similarity(a.full_name_folded, b.full_name_folded) as trigram
      from pairs p
      join customers a on a.id = p.a_id and a.organization_id = :orgId and a.store_id = :storeId
      join customers b on b.id = p.b_id and b.organization_id = :orgId and b.store_id = :storeId`,
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
      birthdays: [r.a_birthday, r.b_birthday],
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
