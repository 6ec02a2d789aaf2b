import { isoWithOffset } from '../pos/store-time.js';
import type { SandboxPerson } from './sandbox-kit.js';

// The Treez sandbox's customers: seeded from sandbox people, kept in last_update order for the
// lastUpdated/after listing, and rendered in Treez's JSON with its placeholders and three date formats.

export type TreezSandboxStatus = 'ACTIVE' | 'DEACTIVATED' | 'MERGED';
export type TreezPatientType = 'ADULT' | 'MEDICAL' | 'MEDICAL_MMID';

export interface TreezSandboxCustomer {
  customerId: number;
  status: TreezSandboxStatus;
  firstName: string;
  middleName: string | null;
  lastName: string;
  birthday: string;
  email: string | null;
  phone: string | null;
  driversLicense: string | null;
  driversLicenseExpiration: string | null;
  stateMedicalId: string | null;
  /** YYYY-MM-DD; served as "YYYY-MM-DD 00:00:00.000". */
  permitExpiration: string | null;
  patientType: TreezPatientType;
  rewardsBalance: number;
  signupDate: Date;
  lastVisit: Date | null;
  lastUpdate: Date;
  mergedCustomerIds: number[];
  mergedInto: number | null;
  verificationStatus: 'VERIFIED' | 'VERIFICATION_PENDING' | 'NOT_APPLICABLE';
  externalId: string | null;
}

export type TreezSandboxChange = Partial<
  Pick<
    TreezSandboxCustomer,
    'firstName' | 'lastName' | 'email' | 'phone' | 'rewardsBalance' | 'status' | 'patientType' | 'stateMedicalId'
  >
>;

export type CreateOutcome = { customer: TreezSandboxCustomer } | { reason: string; detail: string };

const DAY = 86_400_000;
const PATIENT_TYPES = new Set<string>(['ADULT', 'MEDICAL', 'MEDICAL_MMID']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function fromPerson(p: SandboxPerson): TreezSandboxCustomer {
  return {
    customerId: p.index + 1,
    status: 'ACTIVE',
    firstName: p.firstName,
    middleName: null,
    lastName: p.lastName,
    birthday: p.birthday,
    email: p.email,
    phone: p.phone,
    driversLicense: p.driversLicense,
    driversLicenseExpiration: `${2027 + (p.index % 4)}${p.birthday.slice(4)}`,
    stateMedicalId: p.medicalCard,
    permitExpiration: p.medical ? `${2026 + (p.index % 3)}-06-30` : null,
    patientType: p.medical ? 'MEDICAL_MMID' : 'ADULT',
    rewardsBalance: p.loyaltyPoints,
    signupDate: new Date(p.modifiedAt.getTime() - 30 * DAY),
    lastVisit: new Date(p.modifiedAt.getTime() - 3_600_000),
    lastUpdate: p.modifiedAt,
    mergedCustomerIds: [],
    mergedInto: null,
    verificationStatus: 'VERIFIED',
    externalId: null,
  };
}

/**
 * isoWithOffset for one zone, fast enough for 100,000 customers: the offset is looked up once per
 * quarter hour (every zone changes offset on a quarter-hour boundary), the wall clock is arithmetic.
 */
export function zonedIso(timeZone: string): (at: Date) => string {
  const offsets = new Map<number, string>();
  return (at) => {
    const bucket = Math.floor(at.getTime() / 900_000);
    let offset = offsets.get(bucket);
    if (offset === undefined) {
      offset = isoWithOffset(at, timeZone).slice(-6);
      offsets.set(bucket, offset);
    }
    const minutes = (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
    return `${new Date(at.getTime() + minutes * 60_000).toISOString().slice(0, 23)}${offset}`;
  };
}

/** Treez's JSON for one customer, dates in the store's zone (`local` from zonedIso). */
export function renderTreezCustomer(c: TreezSandboxCustomer, local: (at: Date) => string): Record<string, unknown> {
  return {
    status: c.status,
    verification_status: c.verificationStatus,
    verification_reasons: [],
    customer_id: String(c.customerId),
    first_name: c.firstName,
    middle_name: c.middleName,
    nickname: '',
    last_name: c.lastName,
    birthday: c.birthday,
    drivers_license: c.driversLicense ?? '',
    drivers_license_expiration: c.driversLicenseExpiration ?? 'N/A',
    state_medical_id: c.stateMedicalId ?? 'N/A',
    permit_expiration: c.permitExpiration ? `${c.permitExpiration} 00:00:00.000` : 'N/A',
    email: c.email ?? '',
    phone: c.phone ?? '',
    notes: 'N/A',
    physician_first_name: null,
    physician_last_name: null,
    physician_license: null,
    physician_address: null,
    physician_phone: null,
    is_caregiver: false,
    caregiver_license_number: '',
    caregiver_name_1: 'N/A',
    caregiver_name_2: 'N/A',
    caregiver_details: [],
    rewards_balance: c.rewardsBalance,
    rewards_type: 'POINTS',
    gender: 'U',
    signup_date: local(c.signupDate),
    // The third format: store-local wall clock with no offset.
    last_visit_date: c.lastVisit ? local(c.lastVisit).slice(0, 23).replace('T', ' ') : null,
    last_update: local(c.lastUpdate),
    opt_out: null,
    referral_source: null,
    banned: false,
    warning_1: false,
    warning_2: false,
    addresses: [],
    merged_customer_ids: c.mergedCustomerIds,
    merged_into_customer_id: c.mergedInto,
    patient_type: c.patientType,
    customer_groups: [],
    external_ids: { aiq_contact_id: null },
  };
}

export class TreezCustomerBook {
  private readonly byId = new Map<number, TreezSandboxCustomer>();
  private ordered: TreezSandboxCustomer[] = [];
  private sorted = false;
  private nextId = 1;

  /**
   * Seeds one customer per person (customer_id = index + 1). Every 50th is merged into the one before it
   * (the absorbed profile DEACTIVATED with merged_into_customer_id, the survivor MERGED), and every 97th
   * other one is DEACTIVATED, so a listing shows each status.
   */
  constructor(people: SandboxPerson[]) {
    for (const person of people) this.insert(fromPerson(person));
    for (const person of people) {
      const id = person.index + 1;
      if (person.index % 50 === 49) this.merge(id, id - 1, person.modifiedAt);
      else if (person.index % 97 === 96 && person.index % 50 !== 48) this.byId.get(id)!.status = 'DEACTIVATED';
    }
  }

  get size(): number {
    return this.byId.size;
  }

  get(customerId: number): TreezSandboxCustomer | undefined {
    return this.byId.get(customerId);
  }

  /** Customers whose last_update is strictly after `after`, oldest first, from `offset`. */
  changedAfter(after: Date, offset: number, limit: number): TreezSandboxCustomer[] {
    if (!this.sorted) {
      this.ordered.sort((a, b) => a.lastUpdate.getTime() - b.lastUpdate.getTime() || a.customerId - b.customerId);
      this.sorted = true;
    }
    const at = after.getTime();
    let low = 0;
    let high = this.ordered.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.ordered[mid].lastUpdate.getTime() <= at) low = mid + 1;
      else high = mid;
    }
    return this.ordered.slice(low + offset, low + offset + limit);
  }

  /** POST detailcustomer's rules as documented (first_name; MEDICAL_MMID needs the card; phone digits). */
  create(body: Record<string, unknown>, now: Date): CreateOutcome {
    const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim() : '');
    if (!text('first_name')) return { reason: 'CUSTOMER_FIRST_NAME_BLANK', detail: 'Field first_name cannot be blank' };
    // Reason names past the first are [ASSUMPTION]: Treez documents only CUSTOMER_FIRST_NAME_BLANK.
    if (!text('last_name')) return { reason: 'CUSTOMER_LAST_NAME_BLANK', detail: 'Field last_name cannot be blank' };
    if (!DATE.test(text('birthday'))) return { reason: 'INVALID_BIRTHDAY', detail: 'birthday must be YYYY-MM-DD' };
    const patientType = text('patient_type');
    if (!PATIENT_TYPES.has(patientType)) return { reason: 'INVALID_PATIENT_TYPE', detail: 'Unknown patient_type' };
    if (patientType === 'MEDICAL_MMID' && (!text('state_medical_id') || !DATE.test(text('permit_expiration')))) {
      return { reason: 'MEDICAL_ID_REQUIRED', detail: 'state_medical_id and permit_expiration are required' };
    }
    const phone = text('phone') || null;
    if (phone && !/^[2-9]\d{9}$/.test(phone)) {
      return { reason: 'INVALID_PHONE_NUMBER', detail: 'phone must be 10 digits, not starting with 0 or 1' };
    }
    const email = text('email') || null;
    for (const other of this.byId.values()) {
      if (email && other.email?.toLowerCase() === email.toLowerCase()) {
        return { reason: 'CUSTOMER_EMAIL_EXISTS', detail: 'A customer with this email already exists' };
      }
      if (phone && other.phone === phone) {
        return { reason: 'CUSTOMER_PHONE_EXISTS', detail: 'A customer with this phone already exists' };
      }
    }
    const customer: TreezSandboxCustomer = {
      customerId: this.nextId,
      status: 'ACTIVE',
      firstName: text('first_name'),
      middleName: text('middle_name') || null,
      lastName: text('last_name'),
      birthday: text('birthday'),
      email,
      phone,
      driversLicense: text('drivers_license') || null,
      driversLicenseExpiration: null,
      stateMedicalId: text('state_medical_id') || null,
      permitExpiration: text('permit_expiration') || null,
      patientType: patientType as TreezPatientType,
      rewardsBalance: 0,
      signupDate: now,
      lastVisit: null,
      lastUpdate: now,
      mergedCustomerIds: [],
      mergedInto: null,
      // Treez never creates a customer verified.
      verificationStatus: 'VERIFICATION_PENDING',
      externalId: text('external_id') || null,
    };
    this.insert(customer);
    return { customer };
  }

  /** A change made at the counter: the profile moves to the end of the lastUpdated order. */
  modify(customerId: number, change: TreezSandboxChange, now: Date): TreezSandboxCustomer {
    const customer = this.require(customerId);
    Object.assign(customer, change, { lastUpdate: now });
    this.sorted = false;
    return customer;
  }

  /** Treez's merge: the absorbed profile is DEACTIVATED and points at the survivor, which turns MERGED. */
  merge(absorbedId: number, survivorId: number, now: Date): void {
    const absorbed = this.require(absorbedId);
    const survivor = this.require(survivorId);
    Object.assign(absorbed, { status: 'DEACTIVATED', mergedInto: survivorId, lastUpdate: now });
    Object.assign(survivor, {
      status: 'MERGED',
      mergedCustomerIds: [...survivor.mergedCustomerIds, absorbedId],
      rewardsBalance: survivor.rewardsBalance + absorbed.rewardsBalance,
      lastUpdate: now,
    });
    this.sorted = false;
  }

  private require(customerId: number): TreezSandboxCustomer {
    const customer = this.byId.get(customerId);
    if (!customer) throw new Error(`treez sandbox has no customer ${customerId}`);
    return customer;
  }

  private insert(customer: TreezSandboxCustomer): void {
    this.byId.set(customer.customerId, customer);
    this.ordered.push(customer);
    this.sorted = false;
    this.nextId = Math.max(this.nextId, customer.customerId + 1);
  }
}
