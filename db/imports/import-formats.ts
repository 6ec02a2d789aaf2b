import {
  createRowReader,
  type ColumnMap,
  type ColumnRef,
  type FieldPath,
  type ReaderDialect,
} from './import-row-reader.js';

// Recognises a customer CSV by its header row (our template, Shopify, Square, Dutchie) and gives a reader
// that maps each data row to API-shaped customer input. Pure: no database, no I/O.

export type ImportFormat = 'patron' | 'shopify' | 'square' | 'dutchie';

/** API-shaped raw values, not yet normalised or validated: the API's own rules run on them afterwards. */
export interface ImportedCustomer {
  firstName?: string;
  lastName?: string;
  middleName?: string;
  email?: string;
  phone?: string;
  /** YYYY-MM-DD when the cell could be read as a full date. */
  birthday?: string;
  /** female|male|other|undisclosed when recognised; unknown text is kept raw so the API rules reject it. */
  gender?: string;
  /** recreational|medical when recognised. */
  customerType?: string;
  driversLicense?: { number: string; state?: string; expiresOn?: string };
  medicalCard?: { number: string; state?: string; expiresOn?: string };
  consents?: { marketingEmail?: boolean; marketingSms?: boolean };
  tags?: string[];
  address?: { line1: string; line2?: string; city?: string; region?: string; postalCode?: string; country?: string };
  /** Shopify Customer ID / Square Customer ID / Dutchie customerId / our external_id. */
  externalId?: string;
}

/** `column` is the header text as written in the file. */
export interface CellProblem {
  column: string;
  message: string;
}

export interface ImportRow {
  customer: ImportedCustomer;
  /** The row is refused when there is any. */
  problems: CellProblem[];
  /** Kept for the row's report; the row is still imported. */
  warnings: CellProblem[];
  /**
   * Only when a field was read from a fallback column (Shopify 'Default Address Phone' when 'Phone' is
   * empty, Dutchie 'phone' when 'cellPhone' is): field path → that column. Absent otherwise; prefer it to
   * columnOf for this row.
   */
  sourceColumns?: Record<string, string>;
}

export type RowReader = (cells: string[]) => ImportRow;

export interface DetectedFormat {
  format: ImportFormat;
  read: RowReader;
  /**
   * The file's header text for a field path of ImportedCustomer ('firstName', 'driversLicense.number',
   * 'address.line1', 'consents.marketingEmail', 'tags', …), for errors found later by the API rules;
   * undefined if the file has no such column.
   */
  columnOf(path: string): string | undefined;
}

export interface UnknownFormat {
  error: string;
  expectedColumns: string[];
}

/** Our template's columns (API.md, "Customer import"), in its order. */
export const TEMPLATE_COLUMNS = [
  'first_name',
  'last_name',
  'middle_name',
  'email',
  'phone',
  'birthday',
  'gender',
  'customer_type',
  'drivers_license',
  'drivers_license_state',
  'drivers_license_expires_on',
  'medical_card_number',
  'medical_card_expires_on',
  'marketing_email_opt_in',
  'marketing_sms_opt_in',
  'tags',
  'address_line1',
  'address_line2',
  'city',
  'region',
  'postal_code',
  'country',
  'external_id',
];

interface FormatSpec {
  format: ImportFormat;
  label: string;
  /** Header names (lower case) per field, the preferred spelling first. */
  columns: Partial<Record<FieldPath, readonly string[]>>;
  /** Read when the phone column is empty (or absent). */
  phoneFallback?: readonly string[];
  /** Headers only this vendor's export has: they decide between look-alike files. */
  markers: readonly string[];
  dialect: ReaderDialect;
}

const PATRON: FormatSpec = {
  format: 'patron',
  label: 'Patron template',
  columns: {
    firstName: ['first_name'],
    lastName: ['last_name'],
    middleName: ['middle_name'],
    email: ['email'],
    phone: ['phone'],
    birthday: ['birthday'],
    gender: ['gender'],
    customerType: ['customer_type'],
    'driversLicense.number': ['drivers_license', 'drivers_license_number'],
    'driversLicense.state': ['drivers_license_state'],
    'driversLicense.expiresOn': ['drivers_license_expires_on'],
    'medicalCard.number': ['medical_card_number', 'medical_card'],
    'medicalCard.state': ['medical_card_state'],
    'medicalCard.expiresOn': ['medical_card_expires_on'],
    'consents.marketingEmail': ['marketing_email_opt_in'],
    'consents.marketingSms': ['marketing_sms_opt_in'],
    tags: ['tags'],
    'address.line1': ['address_line1'],
    'address.line2': ['address_line2'],
    'address.city': ['city'],
    'address.region': ['region'],
    'address.postalCode': ['postal_code'],
    'address.country': ['country'],
    externalId: ['external_id'],
  },
  markers: ['first_name', 'last_name'],
  dialect: {
    tagSeparator: '|',
    emailConsent: 'boolean',
    customerType: 'patron',
    birthdayWithoutYear: 'problem',
    placeholders: false,
  },
};

// Current exports prefix the address with 'Default Address'; older ones (no Customer ID) wrote Address1,
// Province Code, Accepts Marketing….
const SHOPIFY: FormatSpec = {
  format: 'shopify',
  label: 'Shopify customer export',
  columns: {
    externalId: ['customer id'],
    firstName: ['first name'],
    lastName: ['last name'],
    email: ['email'],
    phone: ['phone'],
    'consents.marketingEmail': ['accepts email marketing', 'accepts marketing'],
    'consents.marketingSms': ['accepts sms marketing'],
    tags: ['tags'],
    'address.line1': ['default address address1', 'address1'],
    'address.line2': ['default address address2', 'address2'],
    'address.city': ['default address city', 'city'],
    'address.region': ['default address province code', 'province code', 'province'],
    'address.postalCode': ['default address zip', 'zip'],
    'address.country': ['default address country code', 'country code', 'country'],
  },
  phoneFallback: ['default address phone'],
  markers: [
    'customer id',
    'accepts email marketing',
    'accepts sms marketing',
    'accepts marketing',
    'default address address1',
    'default address city',
    'default address province code',
    'default address country code',
    'default address zip',
    'default address phone',
    'total spent',
    'total orders',
    'tax exempt',
    'province code',
  ],
  dialect: {
    tagSeparator: ',',
    emailConsent: 'boolean',
    customerType: 'patron',
    birthdayWithoutYear: 'problem',
    placeholders: false,
  },
};

const SQUARE: FormatSpec = {
  format: 'square',
  label: 'Square customer export',
  columns: {
    externalId: ['square customer id'],
    firstName: ['first name', 'given name'],
    lastName: ['last name', 'family name', 'surname'],
    email: ['email address', 'email'],
    phone: ['phone number', 'phone'],
    birthday: ['birthday'],
    'consents.marketingEmail': ['email subscription status'],
    'address.line1': ['street address 1', 'address line 1'],
    'address.line2': ['street address 2', 'address line 2'],
    'address.city': ['city'],
    'address.region': ['state'],
    'address.postalCode': ['postal code'],
  },
  markers: [
    'square customer id',
    'reference id',
    'email address',
    'phone number',
    'street address 1',
    'street address 2',
    'email subscription status',
    'creation source',
    'first visit',
    'last visit',
    'transaction count',
    'lifetime spend',
    'instant profile',
    'blocked from online booking',
  ],
  dialect: {
    tagSeparator: ',',
    emailConsent: 'subscription-status',
    customerType: 'patron',
    birthdayWithoutYear: 'warning',
    placeholders: false,
  },
};

// No public description of Dutchie's customer export exists: we take the API's field names (pos-apis.md).
const DUTCHIE: FormatSpec = {
  format: 'dutchie',
  label: 'Dutchie customer file',
  columns: {
    externalId: ['customerid'],
    firstName: ['firstname'],
    lastName: ['lastname'],
    middleName: ['middlename'],
    email: ['emailaddress'],
    phone: ['cellphone'],
    birthday: ['dateofbirth'],
    gender: ['gender'],
    customerType: ['customertype'],
    'medicalCard.number': ['mmjidnumber'],
    'medicalCard.expiresOn': ['mmjidexpirationdate'],
    'address.line1': ['address1'],
    'address.line2': ['address2'],
    'address.city': ['city'],
    'address.region': ['state'],
    'address.postalCode': ['postalcode'],
  },
  phoneFallback: ['phone'],
  markers: [
    'firstname',
    'lastname',
    'dateofbirth',
    'cellphone',
    'emailaddress',
    'postalcode',
    'customertype',
    'mmjidnumber',
    'mmjidexpirationdate',
    'customerid',
    'uniqueid',
    'lastmodifieddateutc',
  ],
  dialect: {
    tagSeparator: ',',
    emailConsent: 'boolean',
    customerType: 'dutchie',
    birthdayWithoutYear: 'problem',
    placeholders: true,
  },
};

const SPECS: readonly FormatSpec[] = [PATRON, SHOPIFY, SQUARE, DUTCHIE];
const WHITESPACE = /\s+/g;

const normaliseHeader = (text: string, i: number) =>
  (i === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim().replace(WHITESPACE, ' ').toLowerCase();

/** The format whose markers the header has most of; our template's own names win outright. */
function chooseFormat(names: ReadonlyMap<string, number>): FormatSpec | null {
  let best: FormatSpec | null = null;
  let bestCount = 0;
  for (const spec of SPECS) {
    const count = spec.markers.reduce((n, marker) => n + (names.has(marker) ? 1 : 0), 0);
    if (spec === PATRON && count > 0) return spec;
    if (count > bestCount) {
      best = spec;
      bestCount = count;
    }
  }
  return best;
}

// API problem paths the lead's rules report, beyond the field paths: `addresses.0.city`, `tags.2`, and a
// whole document or consent block ('medicalCard is required for a medical customer').
const ADDRESS_ITEM = /^addresses\.\d+\./;
const LIST_ITEM = /^tags\.\d+$/;
const WHOLE_OBJECT: Record<string, FieldPath> = {
  driversLicense: 'driversLicense.number',
  medicalCard: 'medicalCard.number',
  address: 'address.line1',
  addresses: 'address.line1',
  consents: 'consents.marketingEmail',
};

function unknownFormat(error: string): UnknownFormat {
  return { error, expectedColumns: [...TEMPLATE_COLUMNS] };
}

/**
 * The format of a file from its header row (trimmed, BOM dropped, any case; unknown columns ignored), with
 * a reader whose column positions are found here once; or what to tell the uploader.
 */
export function detectImportFormat(header: string[]): DetectedFormat | UnknownFormat {
  const names = new Map<string, number>();
  const written: string[] = [];
  header.forEach((cell, i) => {
    const name = normaliseHeader(cell, i);
    written.push(i === 0 && cell.charCodeAt(0) === 0xfeff ? cell.slice(1).trim() : cell.trim());
    if (name !== '' && !names.has(name)) names.set(name, i);
  });
  const spec = chooseFormat(names);
  if (!spec) {
    return unknownFormat(
      'the header row matches no known customer file (Patron template, Shopify, Square or Dutchie export): ' +
        'expected at least first_name and last_name',
    );
  }

  const find = (candidates: readonly string[] | undefined): ColumnRef | undefined => {
    for (const name of candidates ?? []) {
      const index = names.get(name);
      if (index !== undefined) return { index, header: written[index] };
    }
    return undefined;
  };
  const columns: ColumnMap = {};
  for (const [path, candidates] of Object.entries(spec.columns) as [FieldPath, readonly string[]][]) {
    const found = find(candidates);
    if (found) columns[path] = found;
  }
  if (spec === SHOPIFY) {
    // Stores add the birthday as a metafield column: 'Birth date (customer.metafields.facts.birth_date)'.
    const birth = [...names.keys()].find((name) => name.includes('birth'));
    if (birth !== undefined) columns.birthday = { index: names.get(birth)!, header: written[names.get(birth)!] };
  }
  const missing = (['firstName', 'lastName'] as const).filter((path) => !columns[path]);
  if (missing.length > 0) {
    const wanted = missing.map((path) => `'${spec.columns[path]![0]}'`).join(' and ');
    return unknownFormat(`the header row looks like a ${spec.label} but has no ${wanted} column`);
  }

  let phoneFallback = find(spec.phoneFallback);
  if (!columns.phone && phoneFallback) [columns.phone, phoneFallback] = [phoneFallback, undefined];
  return {
    format: spec.format,
    read: createRowReader(columns, spec.dialect, phoneFallback),
    columnOf(path: string): string | undefined {
      let field = path.replace(ADDRESS_ITEM, 'address.');
      if (LIST_ITEM.test(field)) field = 'tags';
      field = WHOLE_OBJECT[field] ?? field;
      if (field === 'phone') return columns.phone?.header ?? phoneFallback?.header;
      return columns[field as FieldPath]?.header;
    },
  };
}
