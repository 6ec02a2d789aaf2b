import type { IsoDate, NewPosCustomer, PosCustomer, PosCustomerPatch, PosDocument } from '../pos-types.js';
import type { BlazeIdentification, BlazeMember, BlazeRecommendation } from './blaze-schemas.js';

const PLACEHOLDERS = new Set(['', 'n/a', 'null', 'none']);

export function present(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  return PLACEHOLDERS.has(text.toLowerCase()) ? null : text;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * An epoch-ms date field as a calendar date. Blaze stores midnight of the day, in UTC or in the shop's
 * (American) zone; either way the UTC date is the day meant. 0 (Java's unset long) and years ≤ 1900 are
 * placeholders.
 */
export function blazeDate(ms: number | null | undefined): IsoDate | null {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms === 0) return null;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1900) return null;
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `birthdate`, the text twin of `dob` ('YYYY-MM-DD' or 'MM/DD/YYYY'), for records without `dob`. */
export function blazeBirthdateText(value: string | null | undefined): IsoDate | null {
  const text = present(value);
  if (!text) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : us ? [us[3], us[1], us[2]] : [];
  if (!y) return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(m) - 1) return null;
  return blazeDate(date.getTime());
}

/** Where several documents qualify, the one valid longest (an undated one counts as oldest). */
function latest<T extends { expirationDate?: number | null }>(items: T[]): T | undefined {
  return items.reduce<T | undefined>(
    (best, item) => (!best || (item.expirationDate ?? -Infinity) > (best.expirationDate ?? -Infinity) ? item : best),
    undefined,
  );
}

const isDriversLicence = (i: BlazeIdentification) => /^drivers?$/i.test(i.type?.trim() ?? '');

export function blazeDriversLicense(ids: BlazeIdentification[] | null | undefined): PosDocument | null {
  const found = latest((ids ?? []).filter((i) => isDriversLicence(i) && present(i.licenseNumber)));
  return found
    ? { number: present(found.licenseNumber)!, state: present(found.state), expiresOn: blazeDate(found.expirationDate) }
    : null;
}

/** `recommendations[]` are the medical recommendations (the card). */
export function blazeMedicalCard(recs: BlazeRecommendation[] | null | undefined): PosDocument | null {
  const found = latest((recs ?? []).filter((r) => present(r.recommendationNumber)));
  return found
    ? {
        number: present(found.recommendationNumber)!,
        state: present(found.state),
        expiresOn: blazeDate(found.expirationDate),
      }
    : null;
}

/** consumerType first (AdultUse / MedicinalState / MedicinalThirdParty); 'Other' or none falls back to `medical`. */
export function blazeCustomerType(member: Pick<BlazeMember, 'consumerType' | 'medical'>): PosCustomer['customerType'] {
  const type = present(member.consumerType)?.toLowerCase() ?? '';
  if (type.startsWith('medicinal')) return 'medical';
  if (type === 'adultuse') return 'recreational';
  return member.medical === true ? 'medical' : null;
}

/** Pending (awaiting verification) is still a customer; a deleted member is gone. Blaze has no merge pointer. */
export function blazeStatus(member: Pick<BlazeMember, 'status' | 'deleted'>): PosCustomer['status'] {
  if (member.deleted) return 'inactive';
  return present(member.status)?.toLowerCase() === 'inactive' ? 'inactive' : 'active';
}

export function blazeToPosCustomer(member: BlazeMember): PosCustomer {
  return {
    externalId: member.id,
    firstName: present(member.firstName),
    middleName: present(member.middleName),
    lastName: present(member.lastName),
    birthday: blazeDate(member.dob) ?? blazeBirthdateText(member.birthdate),
    email: present(member.email),
    phone: present(member.primaryPhone) ?? present(member.cpn),
    driversLicense: blazeDriversLicense(member.identifications),
    medicalCard: blazeMedicalCard(member.recommendations),
    customerType: blazeCustomerType(member),
    loyaltyPoints: typeof member.loyaltyPoints === 'number' ? member.loyaltyPoints : null,
    status: blazeStatus(member),
    mergedIntoExternalId: null,
    lastModifiedAt: typeof member.modified === 'number' && member.modified > 0 ? new Date(member.modified) : null,
  };
}

/**
 * Whether a record from the window really changed since `since`: the window may filter on the join date
 * rather than `modified` (pos-apis.md), so each record's own `modified` decides. Undated records are kept.
 */
export function blazeChangedSince(member: BlazeMember, since: Date): boolean {
  return typeof member.modified !== 'number' || member.modified >= since.getTime();
}

/**
 * A calendar date as epoch ms at noon UTC: the same calendar day in every zone from UTC−11 to UTC+11,
 * so it reads back right whether Blaze shows it in UTC or in the shop's zone.
 */
export function blazeDateMs(date: IsoDate | null | undefined): number | null {
  if (!date) return null;
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d, 12);
}

/** Blaze is US-only [ASSUMPTION: it keeps 10-digit numbers as its screens show them]. */
export function blazePhone(e164: string | null | undefined): string | null {
  if (!e164) return null;
  return /^\+1\d{10}$/.test(e164) ? e164.slice(2) : e164;
}

function consumerTypeFields(type: PosCustomer['customerType']): Partial<BlazeMember> {
  if (type === 'medical') return { consumerType: 'MedicinalState', medical: true };
  if (type === 'recreational') return { consumerType: 'AdultUse', medical: false };
  return { consumerType: 'Other', medical: false };
}

const licenceOf = (doc: PosDocument): BlazeIdentification => ({
  licenseNumber: doc.number,
  state: doc.state,
  expirationDate: blazeDateMs(doc.expiresOn),
  type: 'Drivers',
});

/** `POST /members` (MembershipAddRequest: nothing declared required): what we know, nulls left out. */
export function toBlazeAddRequest(customer: NewPosCustomer): Record<string, unknown> {
  const body: Record<string, unknown> = {
    firstName: customer.firstName,
    middleName: customer.middleName,
    lastName: customer.lastName,
    email: customer.email,
    primaryPhone: blazePhone(customer.phone),
    dob: blazeDateMs(customer.birthday),
    ...(customer.customerType ? consumerTypeFields(customer.customerType) : {}),
    identifications: customer.driversLicense ? [licenceOf(customer.driversLicense)] : undefined,
    recommendations: customer.medicalCard
      ? [
          {
            recommendationNumber: customer.medicalCard.number,
            state: customer.medicalCard.state,
            expirationDate: blazeDateMs(customer.medicalCard.expiresOn),
          },
        ]
      : undefined,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== undefined));
}

/**
 * `PUT /members/{id}` replaces the whole Member, so the patch is applied to the Member as fetched and
 * everything we do not model (addresses, notes, tags, metadata…) goes back unchanged. The licence
 * replaces the Drivers entries only (passports and state ids stay); the medical card replaces the
 * recommendation list, keeping the doctor's details when the number is unchanged.
 */
export function applyBlazePatch(member: BlazeMember, patch: PosCustomerPatch): BlazeMember {
  const next: BlazeMember = { ...member };
  const has = (field: keyof PosCustomerPatch) => Object.prototype.hasOwnProperty.call(patch, field);
  if (has('firstName')) next.firstName = patch.firstName ?? null;
  if (has('middleName')) next.middleName = patch.middleName ?? null;
  if (has('lastName')) next.lastName = patch.lastName ?? null;
  if (has('email')) next.email = patch.email ?? null;
  if (has('phone')) next.primaryPhone = blazePhone(patch.phone);
  if (has('birthday')) next.dob = blazeDateMs(patch.birthday);
  if (has('customerType')) Object.assign(next, consumerTypeFields(patch.customerType ?? null));
  if (has('driversLicense')) {
    const others = (member.identifications ?? []).filter((i) => !isDriversLicence(i));
    next.identifications = patch.driversLicense ? [...others, licenceOf(patch.driversLicense)] : others;
  }
  if (has('medicalCard')) {
    const card = patch.medicalCard;
    const same = card && (member.recommendations ?? []).find((r) => present(r.recommendationNumber) === card.number);
    next.recommendations = card
      ? [
          {
            ...same,
            recommendationNumber: card.number,
            state: card.state,
            expirationDate: blazeDateMs(card.expiresOn),
          },
        ]
      : [];
  }
  return next;
}
