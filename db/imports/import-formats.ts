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

export function detectImportFormat(_header: string[]): DetectedFormat | UnknownFormat {
  throw new Error('detectImportFormat: not implemented yet');
}
