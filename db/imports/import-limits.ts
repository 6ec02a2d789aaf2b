/** What one CSV import may hold (API.md, "Customer import"); the upload answers 413 beyond either. */
export const IMPORT_LIMITS = {
  maxBytes: 50 * 1024 * 1024,
  maxRows: 1_000_000,
} as const;
