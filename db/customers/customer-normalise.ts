import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

// Pure normalisers applied at write time, so reads are plain index lookups. Each returns the stored
// form, or an error message for the field.
export type Normalised<T> = { value: T } | { error: string };

/** E.164, read in the store's country when the number has no country code. */
export function normalisePhone(raw: string, country: string): Normalised<string> {
  const parsed = parsePhoneNumberFromString(raw.trim(), { defaultCountry: country as CountryCode });
  if (!parsed || !parsed.isValid()) return { error: `is not a valid phone number for ${country}` };
  return { value: parsed.number };
}

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** NFC so that "é" typed two ways is one name; inner whitespace collapsed. Folding happens in PostgreSQL. */
export function normaliseName(raw: string): string {
  return raw.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** Licence and card numbers: upper-case letters and digits only ("d123-456 7" → "D1234567"). */
export function normaliseIdNumber(raw: string): string {
  return raw
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

/** Digits a phone search may carry; the last four alone are a valid query. */
export function phoneDigits(raw: string): string {
  return raw.replace(/\D/g, '');
}
