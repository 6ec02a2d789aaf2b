import { getCountries } from 'libphonenumber-js';

// Intl's zone list leaves out the plain 'UTC' alias that clients commonly send.
const TIMEZONES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
const ZONE_SHAPE = /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z][A-Za-z0-9_+-]*)*$/;

/**
 * ICU lists zones by their CLDR ids, which are often the old names (Asia/Calcutta, Europe/Kiev), so the
 * current IANA names (Asia/Kolkata, Europe/Kyiv) are accepted when Intl resolves them to another zone.
 * A mis-cased spelling of a listed zone resolves to that same zone and is refused: one spelling is stored.
 */
export function isTimezone(value: string): boolean {
  if (TIMEZONES.has(value)) return true;
  if (!ZONE_SHAPE.test(value)) return false;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
    return resolved.toLowerCase() !== value.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * A store's country is the default region for reading phone numbers, so it must be an ISO 3166-1
 * alpha-2 code that libphonenumber can parse in. Its list is ISO 3166-1 minus seven territories with no
 * numbering plan of their own (AQ, BV, GS, HM, PN, TF, UM), plus three non-ISO codes removed here.
 * Intl.DisplayNames was not enough: it also names withdrawn and macro-region codes (UK, SU, EU, UN, ZZ).
 */
const NOT_ISO_3166_1 = new Set(['AC', 'TA', 'XK']);
export const COUNTRIES: readonly string[] = getCountries()
  .filter((c) => !NOT_ISO_3166_1.has(c))
  .sort();

export const CURRENCIES: readonly string[] = Intl.supportedValuesOf('currency');

export const STORE_DEFAULTS = { country: 'US', currency: 'USD' } as const;

const COUNTRY_SET: ReadonlySet<string> = new Set(COUNTRIES);
const CURRENCY_SET: ReadonlySet<string> = new Set(CURRENCIES);

export const isCountry = (value: string): boolean => COUNTRY_SET.has(value);
export const isCurrency = (value: string): boolean => CURRENCY_SET.has(value);
