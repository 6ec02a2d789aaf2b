import { PosError } from '../pos-errors.js';
import type { IsoDate, NewPosCustomer, PosCustomer, PosDocument } from '../pos-types.js';
import type { TreezCustomer } from './treez-schemas.js';

/** Treez writes "N/A" for null in medical ids, expiries, caregiver fields and notes; '' elsewhere. */
export function present(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' || /^(n\/a|null)$/i.test(trimmed) ? null : trimmed;
}

/**
 * The calendar date of any of Treez's three formats: 'YYYY-MM-DD' (birthday), 'YYYY-MM-DD HH:mm:ss.SSS'
 * (permit_expiration, local, no offset) and ISO with an offset (whose date part is already local).
 */
export function datePart(value: string | null | undefined): IsoDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|[ T])/.exec(present(value) ?? '');
  if (!match) return null;
  const [, year, month, day] = match;
  // Year-1900 and zero dates are placeholders in POS exports; Treez has not been seen sending them, but
  // a birthday of 1900-01-01 would still mean "unknown".
  if (year === '0000' || year === '1900' || month === '00' || day === '00') return null;
  return `${year}-${month}-${day}`;
}

/** last_update carries the store's offset, so it names one instant. */
export function instantOf(value: string | null | undefined): Date | null {
  const text = present(value);
  if (!text) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * The create endpoint's enum is ADULT | MEDICAL | MEDICAL_MMID; reads show MEDICAL_MMID. Other values
 * exist but were not captured (pos-apis.md "Still unknown"): anything naming MEDICAL is medical,
 * ADULT/RECREATIONAL is recreational, the rest unknown rather than guessed.
 */
export function customerTypeOf(patientType: string | null | undefined): PosCustomer['customerType'] {
  const type = present(patientType)?.toUpperCase();
  if (!type) return null;
  if (type.startsWith('MEDICAL')) return 'medical';
  if (type === 'ADULT' || type.startsWith('REC')) return 'recreational';
  return null;
}

function idText(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === '' || text === '0' ? null : text;
}

/**
 * On a merge Treez keeps two profiles: the absorbed one turns DEACTIVATED with
 * `merged_into_customer_id`, and the survivor is marked MERGED (with `merged_customer_ids`). So MERGED
 * means "absorbed others" and stays active; only the pointer makes a record merged.
 */
export function statusOf(record: Pick<TreezCustomer, 'status' | 'merged_into_customer_id'>): {
  status: PosCustomer['status'];
  mergedIntoExternalId: string | null;
} {
  const mergedInto = idText(record.merged_into_customer_id);
  if (mergedInto) return { status: 'merged', mergedIntoExternalId: mergedInto };
  return { status: record.status === 'DEACTIVATED' ? 'inactive' : 'active', mergedIntoExternalId: null };
}

function documentOf(number: string | null | undefined, expiry: string | null | undefined): PosDocument | null {
  const value = present(number);
  // Treez keeps no issuing state for either document.
  return value ? { number: value, state: null, expiresOn: datePart(expiry) } : null;
}

export function toPosCustomer(record: TreezCustomer): PosCustomer {
  return {
    externalId: String(record.customer_id),
    firstName: present(record.first_name),
    middleName: present(record.middle_name),
    lastName: present(record.last_name),
    birthday: datePart(record.birthday),
    email: present(record.email),
    phone: present(record.phone),
    driversLicense: documentOf(record.drivers_license, record.drivers_license_expiration),
    medicalCard: documentOf(record.state_medical_id, record.permit_expiration),
    customerType: customerTypeOf(record.patient_type),
    loyaltyPoints: typeof record.rewards_balance === 'number' ? record.rewards_balance : null,
    ...statusOf(record),
    lastModifiedAt: instantOf(record.last_update),
  };
}

/** The POST detailcustomer body (documented required: first_name, last_name, birthday, patient_type). */
export interface TreezNewCustomerBody {
  first_name: string;
  last_name: string;
  birthday: IsoDate;
  patient_type: 'ADULT' | 'MEDICAL' | 'MEDICAL_MMID';
  middle_name?: string;
  email?: string;
  phone?: string;
  drivers_license?: string;
  state_medical_id?: string;
  permit_expiration?: IsoDate;
  /** Our id, so a Treez profile can be traced back to Patron (pos-apis.md: "Put our key in external_id"). */
  external_id: string;
}

/**
 * Treez wants 10 digits, no leading 0/1: a NANP number. Patron stores E.164; a number outside +1 cannot
 * be written and is left out rather than rejected (the profile is still worth creating).
 */
export function treezPhone(e164: string | null): string | undefined {
  const match = /^\+1([2-9]\d{9})$/.exec(e164 ?? '');
  return match ? match[1] : undefined;
}

/** Our new customer as Treez's create body; fields Treez requires and we lack are pos_rejected before sending. */
export function toTreezNewCustomer(customer: NewPosCustomer): TreezNewCustomerBody {
  const missing = (['firstName', 'lastName', 'birthday'] as const).filter((field) => !present(customer[field]));
  if (missing.length > 0) {
    throw new PosError('pos_rejected', `treez requires ${missing.join(', ')} to create a customer`, {
      provider: 'treez',
      details: missing.map((path) => ({ path, type: 'any.required' })),
    });
  }
  const card = customer.customerType === 'medical' ? customer.medicalCard : null;
  // MEDICAL_MMID makes state_medical_id and permit_expiration required; a card without an expiry is MEDICAL.
  const patientType =
    customer.customerType !== 'medical' ? 'ADULT' : card?.number && card.expiresOn ? 'MEDICAL_MMID' : 'MEDICAL';
  const optional = {
    middle_name: present(customer.middleName) ?? undefined,
    email: present(customer.email) ?? undefined,
    phone: treezPhone(customer.phone),
    drivers_license: present(customer.driversLicense?.number) ?? undefined,
    state_medical_id: present(card?.number) ?? undefined,
    permit_expiration: patientType === 'MEDICAL_MMID' ? (card!.expiresOn ?? undefined) : undefined,
  };
  return {
    first_name: customer.firstName.trim(),
    last_name: customer.lastName!.trim(),
    birthday: customer.birthday!,
    patient_type: patientType,
    ...(Object.fromEntries(
      Object.entries(optional).filter(([, v]) => v !== undefined),
    ) as Partial<TreezNewCustomerBody>),
    external_id: customer.patronId,
  };
}
