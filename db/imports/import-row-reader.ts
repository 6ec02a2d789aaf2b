import { leaflogixCustomerType } from '../../integrations/pos/leaflogix/leaflogix-mappers.js';
import {
  BOOLEAN_MESSAGE,
  DATE_MESSAGE,
  NO_YEAR,
  NO_YEAR_MESSAGE,
  SUBSCRIPTION_MESSAGE,
  cellText,
  cellTextWithoutPlaceholders,
  readBoolean,
  readCustomerType,
  readDate,
  readGender,
  readSubscriptionStatus,
  splitTags,
} from './import-cell-values.js';
import type { CellProblem, ImportRow, ImportedCustomer, RowReader } from './import-formats.js';

// Maps one data row to API-shaped customer input, with the columns found once in the header. Values are
// only read here (text, dates, booleans, known spellings); the API's own rules validate them afterwards.

export const FIELD_PATHS = [
  'firstName',
  'lastName',
  'middleName',
  'email',
  'phone',
  'birthday',
  'gender',
  'customerType',
  'driversLicense.number',
  'driversLicense.state',
  'driversLicense.expiresOn',
  'medicalCard.number',
  'medicalCard.state',
  'medicalCard.expiresOn',
  'consents.marketingEmail',
  'consents.marketingSms',
  'tags',
  'address.line1',
  'address.line2',
  'address.city',
  'address.region',
  'address.postalCode',
  'address.country',
  'externalId',
] as const;
export type FieldPath = (typeof FIELD_PATHS)[number];

/** A column of the file: where it is in each row, and its header as written (for messages). */
export interface ColumnRef {
  index: number;
  header: string;
}

export type ColumnMap = Partial<Record<FieldPath, ColumnRef>>;

/** How a format writes what the columns alone do not say. */
export interface ReaderDialect {
  /** Between the labels of the tags cell. */
  tagSeparator: string;
  /** A yes/no cell, or Square's `Email Subscription Status` words. */
  emailConsent: 'boolean' | 'subscription-status';
  /** Our words (unknown text kept for the API rules to refuse), or Dutchie's operator-defined text. */
  customerType: 'patron' | 'dutchie';
  /** Square keeps birthdays without a year: a warning there, a problem elsewhere. */
  birthdayWithoutYear: 'problem' | 'warning';
  /** Dutchie's "N/A" cells and year-1900 dates mean unknown. */
  placeholders: boolean;
}

const NONE: ColumnRef = { index: -1, header: '' };
// Dutchie (and .NET) write an unknown date as 1900-01-01 or 0001-01-01.
const isPlaceholderDate = (date: string) => Number(date.slice(0, 4)) <= 1900;

export function createRowReader(columns: ColumnMap, dialect: ReaderDialect, phoneFallback?: ColumnRef): RowReader {
  const col = (path: FieldPath) => columns[path] ?? NONE;
  const firstName = col('firstName');
  const lastName = col('lastName');
  const middleName = col('middleName');
  const email = col('email');
  const phone = col('phone');
  const fallbackPhone = phoneFallback ?? NONE;
  const birthday = col('birthday');
  const gender = col('gender');
  const customerType = col('customerType');
  const dlNumber = col('driversLicense.number');
  const dlState = col('driversLicense.state');
  const dlExpires = col('driversLicense.expiresOn');
  const mcNumber = col('medicalCard.number');
  const mcState = col('medicalCard.state');
  const mcExpires = col('medicalCard.expiresOn');
  const emailConsent = col('consents.marketingEmail');
  const smsConsent = col('consents.marketingSms');
  const tags = col('tags');
  const line1 = col('address.line1');
  const line2 = col('address.line2');
  const city = col('address.city');
  const region = col('address.region');
  const postalCode = col('address.postalCode');
  const country = col('address.country');
  const externalId = col('externalId');

  const text = dialect.placeholders ? cellTextWithoutPlaceholders : cellText;
  const subscriptionStatus = dialect.emailConsent === 'subscription-status';
  const dutchieType = dialect.customerType === 'dutchie';
  const noYearIsWarning = dialect.birthdayWithoutYear === 'warning';
  const { placeholders, tagSeparator } = dialect;

  /** A date cell: YYYY-MM-DD, or undefined with a problem (or, for a birthday without year, maybe a warning). */
  function date(cells: string[], column: ColumnRef, row: ImportRow, isBirthday: boolean): string | undefined {
    const value = text(cells, column.index);
    if (value === undefined) return undefined;
    const reading = readDate(value);
    if (reading === null) row.problems.push({ column: column.header, message: DATE_MESSAGE });
    else if (reading === NO_YEAR) {
      if (isBirthday && noYearIsWarning) {
        row.warnings.push({ column: column.header, message: 'has no year: the birthday is left unknown' });
      } else row.problems.push({ column: column.header, message: NO_YEAR_MESSAGE });
    } else if (!(placeholders && isPlaceholderDate(reading))) return reading;
    return undefined;
  }

  function boolean(cells: string[], column: ColumnRef, problems: CellProblem[]): boolean | undefined {
    const value = text(cells, column.index);
    if (value === undefined) return undefined;
    const flag = readBoolean(value);
    if (flag === undefined) problems.push({ column: column.header, message: BOOLEAN_MESSAGE });
    return flag;
  }

  function identity(
    cells: string[],
    row: ImportRow,
    number: ColumnRef,
    state: ColumnRef,
    expires: ColumnRef,
  ): ImportedCustomer['driversLicense'] {
    const id = text(cells, number.index);
    const region = text(cells, state.index);
    const expiresOn = date(cells, expires, row, false);
    if (id === undefined) {
      const given = region !== undefined ? state : expiresOn !== undefined ? expires : null;
      if (given) row.warnings.push({ column: given.header, message: `is ignored: ${number.header} is empty` });
      return undefined;
    }
    const doc: NonNullable<ImportedCustomer['driversLicense']> = { number: id };
    if (region !== undefined) doc.state = region;
    if (expiresOn !== undefined) doc.expiresOn = expiresOn;
    return doc;
  }

  return function read(cells: string[]): ImportRow {
    const customer: ImportedCustomer = {};
    const row: ImportRow = { customer, problems: [], warnings: [] };
    let v: string | undefined;

    if ((v = text(cells, firstName.index)) !== undefined) customer.firstName = v;
    if ((v = text(cells, lastName.index)) !== undefined) customer.lastName = v;
    if ((v = text(cells, middleName.index)) !== undefined) customer.middleName = v;
    if ((v = text(cells, email.index)) !== undefined) customer.email = v;
    if ((v = text(cells, phone.index)) !== undefined) customer.phone = v;
    else if ((v = text(cells, fallbackPhone.index)) !== undefined) {
      customer.phone = v;
      row.sourceColumns = { phone: fallbackPhone.header };
    }
    if ((v = date(cells, birthday, row, true)) !== undefined) customer.birthday = v;
    if ((v = text(cells, gender.index)) !== undefined) customer.gender = readGender(v);
    if ((v = text(cells, customerType.index)) !== undefined) {
      if (!dutchieType) customer.customerType = readCustomerType(v);
      else {
        // Dutchie's types are the operator's own words ('Medical - Out of State', 'Employee'): what cannot
        // be read as either stays unknown, as the POS sync does, instead of refusing the customer.
        const type = leaflogixCustomerType(v);
        if (type) customer.customerType = type;
        else row.warnings.push({ column: customerType.header, message: 'is not recreational or medical: ignored' });
      }
    }

    const licence = identity(cells, row, dlNumber, dlState, dlExpires);
    if (licence) customer.driversLicense = licence;
    const card = identity(cells, row, mcNumber, mcState, mcExpires);
    if (card) customer.medicalCard = card;

    let marketingEmail: boolean | undefined;
    if (!subscriptionStatus) marketingEmail = boolean(cells, emailConsent, row.problems);
    else if ((v = text(cells, emailConsent.index)) !== undefined) {
      const status = readSubscriptionStatus(v);
      if (status === undefined) row.problems.push({ column: emailConsent.header, message: SUBSCRIPTION_MESSAGE });
      else if (status !== null) marketingEmail = status;
    }
    const marketingSms = boolean(cells, smsConsent, row.problems);
    if (marketingEmail !== undefined || marketingSms !== undefined) {
      customer.consents =
        marketingSms === undefined
          ? { marketingEmail }
          : marketingEmail === undefined
            ? { marketingSms }
            : { marketingEmail, marketingSms };
    }

    if ((v = text(cells, tags.index)) !== undefined) {
      const labels = splitTags(v, tagSeparator);
      if (labels) customer.tags = labels;
    }

    const street = text(cells, line1.index);
    const town = text(cells, city.index);
    const zip = text(cells, postalCode.index);
    const street2 = text(cells, line2.index);
    if (street !== undefined) {
      const address: NonNullable<ImportedCustomer['address']> = { line1: street };
      if (street2 !== undefined) address.line2 = street2;
      if (town !== undefined) address.city = town;
      if ((v = text(cells, region.index)) !== undefined) address.region = v;
      if (zip !== undefined) address.postalCode = zip;
      if ((v = text(cells, country.index)) !== undefined) address.country = v;
      customer.address = address;
    } else if (street2 !== undefined || town !== undefined || zip !== undefined) {
      // A region or country alone is a store default more often than an address; say nothing about it.
      row.warnings.push({ column: line1.header || 'address', message: 'is empty: the address is not imported' });
    }

    if ((v = text(cells, externalId.index)) !== undefined) customer.externalId = v;
    return row;
  };
}
