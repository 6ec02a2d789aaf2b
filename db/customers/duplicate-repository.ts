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
