import Joi from 'joi';
import { blindIndex, encryptField, lastFour } from '../crypto/field-encryption.js';
import { newCustomerFields } from '../customers/customer-input-schema.js';
import { applyInput, emptyValues, normaliseInput, type NewCustomerInput } from '../customers/customer-rules.js';
import type { CellProblem, DetectedFormat, ImportFormat, ImportRow, ImportedCustomer } from './import-formats.js';
import { FIELD_PATHS } from './import-row-reader.js';
import type { StagedRow } from './import-staging.js';

// One CSV row through the API's own rules: the create schema (joi), then normalisation in the store's
// country and the rules of a whole record (a medical customer needs a card). What passes becomes a
// staged row: identity numbers encrypted with their blind index, the plaintext never staged.

/** Whose ids a format's external id column holds: Dutchie's customerId is its POS (Leaflogix) id. */
export const EXTERNAL_PROVIDER: Record<ImportFormat, string> = {
  patron: 'import',
  shopify: 'shopify',
  square: 'square',
  dutchie: 'leaflogix',
};

const RULES = { abortEarly: false, convert: true, stripUnknown: true } as const;

type FieldName = keyof typeof newCustomerFields;
const FIELDS = Object.entries(newCustomerFields) as Array<[FieldName, Joi.Schema]>;
if (FIELDS.length > 30) throw new Error('a row shape is a bit per field: at most 30 fields');
type Described = {
  flags?: { presence?: string; default?: unknown };
  whens?: Array<{ ref?: { path?: string[] }; is?: { flags?: { presence?: string } }; otherwise?: unknown }>;
};
/** Fields checked even when a row lacks them: required or defaulted. */
const ALWAYS_CHECKED = new Set<FieldName>();
/**
 * Fields whose only rule for a missing value is a condition on siblings (a medical customer needs a
 * card): checked when the row gives one of those siblings. Each condition must need its sibling present
 * (joi's `is` does, unless made optional) and have no `otherwise`; a field with any other condition is
 * always checked.
 */
const CHECKED_WITH = new Map<FieldName, string[]>();
for (const [field, schema] of FIELDS) {
  const described = schema.describe() as Described;
  if (described.flags?.presence === 'required' || described.flags?.default !== undefined) {
    ALWAYS_CHECKED.add(field);
  } else if (described.whens) {
    const siblings = described.whens.map((w) => w.ref?.path);
    const needsSibling = described.whens.every((w) => w.is?.flags?.presence === 'required' && !w.otherwise);
    if (needsSibling && siblings.every((path) => path?.length === 1))
      CHECKED_WITH.set(field, siblings.flat() as string[]);
    else ALWAYS_CHECKED.add(field);
  }
}
const schemasByShape = new Map<number, Joi.ObjectSchema>();
const MAX_SHAPES = 256;

function checked(field: FieldName, input: Record<string, unknown>): boolean {
  if (input[field] !== undefined || ALWAYS_CHECKED.has(field)) return true;
  const siblings = CHECKED_WITH.get(field);
  if (siblings) for (const sibling of siblings) if (input[sibling] !== undefined) return true;
  return false;
}

/**
 * The create schema's fields that can say anything about this input: those it holds, those checked
 * even when missing, and those whose condition a given field can trigger. A field missing from the
 * input passes its own rule, so leaving it out changes no outcome; joi then walks five fields of a
 * typical row instead of thirteen. One schema per shape (a file has few); the shape is which fields are
 * given, so values never key the cache.
 */
export function customerInputFor(input: Record<string, unknown>): Joi.ObjectSchema {
  // The shape as a bit per field (13 fields): no array or string per row to find its schema.
  let shape = 0;
  for (let i = 0; i < FIELDS.length; i += 1) if (checked(FIELDS[i]![0], input)) shape |= 1 << i;
  let schema = schemasByShape.get(shape);
  if (!schema) {
    if (schemasByShape.size >= MAX_SHAPES) schemasByShape.clear();
    const fields = FIELDS.filter((_, i) => shape & (1 << i));
    // The rules travel with the schema: options given to validate() are merged anew on every call.
    schema = Joi.object(Object.fromEntries(fields)).required().prefs(RULES);
    schemasByShape.set(shape, schema);
  }
  return schema;
}

const STAMP = { at: new Date(0).toISOString(), source: 'import' };

export type StagedOrRefused = { staged: StagedRow; warnings: CellProblem[] } | { problems: CellProblem[] };

/** What a file row gives that the create input takes under the same name (the address and external id differ). */
const ROW_FIELDS = [...new Set(FIELD_PATHS.map((path) => path.split('.')[0]!))].filter(
  (field): field is Exclude<keyof ImportedCustomer, 'address' | 'externalId'> =>
    field !== 'address' && field !== 'externalId',
);

/** The row as the API's create input; fields the row does not give are left out, not set to undefined. */
function inputOf(row: ImportRow): NewCustomerInput {
  const c = row.customer;
  const input: Record<string, unknown> = {};
  for (const field of ROW_FIELDS) if (c[field] !== undefined) input[field] = c[field];
  if (c.address) input.addresses = [{ type: 'shipping', isDefault: true, ...c.address }];
  return input as unknown as NewCustomerInput;
}

// joi and the rules speak the API's paths; the file has its own column names.
function columnFor(path: string, row: ImportRow, format: DetectedFormat): string {
  const field = path.replace(/^addresses\.\d+\./, 'address.').replace(/^tags\.\d+$/, 'tags');
  return row.sourceColumns?.[field] ?? format.columnOf(field) ?? format.columnOf(field.split('.')[0]!) ?? field;
}

const text = (value: string | null | undefined) =>
  value === undefined || value === null || value === '' ? null : value;

/** The row, checked and normalised, as the staging table takes it; or every problem it has. */
export function stageRow(row: ImportRow, format: DetectedFormat, line: number, storeCountry: string): StagedOrRefused {
  const warnings = [...row.warnings];
  if (row.problems.length > 0) return { problems: row.problems };
  const input = inputOf(row);
  const address = row.customer.address;
  // An address without its city is dropped with a warning: the rest of the row is still good.
  if (address && (!address.city || !address.line1)) {
    delete (input as { addresses?: unknown }).addresses;
    warnings.push({ column: columnFor('address.city', row, format), message: 'address without a city was skipped' });
  }
  const checked = customerInputFor(input as unknown as Record<string, unknown>).validate(input);
  if (checked.error) {
    return {
      problems: checked.error.details.map((d) => ({
        column: columnFor(d.path.join('.'), row, format),
        message: d.message.replace(/^"[^"]*" /, ''),
      })),
    };
  }
  const valid = checked.value as NewCustomerInput;
  const normalised = normaliseInput(valid, storeCountry);
  const applied = applyInput(emptyValues(), normalised.input, STAMP);
  const problems = [...normalised.problems, ...applied.problems];
  if (problems.length > 0) {
    return {
      problems: problems.map((p) => ({
        column: columnFor(p.path ?? '', row, format),
        message: p.message ?? 'is not valid',
      })),
    };
  }
  const v = applied.values;
  const dl = v.driversLicense;
  const mc = v.medicalCard;
  const a = valid.addresses?.[0];
  const tags = valid.tags?.map((t) => t.replace(/\|/g, ' ').trim()).filter(Boolean);
  const externalId = text(row.customer.externalId?.trim());
  return {
    warnings,
    staged: {
      row_no: line,
      first_name: v.firstName,
      last_name: v.lastName,
      middle_name: v.middleName,
      email: v.email,
      phone: v.phone,
      birthday: v.birthday,
      gender: v.gender,
      customer_type: valid.customerType ?? null,
      drivers_license_state: dl?.state ?? null,
      drivers_license_expires_on: dl?.expiresOn ?? null,
      medical_card_expires_on: mc?.expiresOn ?? null,
      marketing_email_opt_in: valid.consents?.marketingEmail ?? null,
      marketing_sms_opt_in: valid.consents?.marketingSms ?? null,
      tags: tags && tags.length > 0 ? tags.join('|') : null,
      address_line1: text(a?.line1),
      address_line2: text(a?.line2),
      city: text(a?.city),
      region: text(a?.region),
      postal_code: text(a?.postalCode),
      country: text(a?.country),
      external_id: externalId,
      external_provider: externalId === null ? null : EXTERNAL_PROVIDER[format.format],
      drivers_license_ciphertext: dl ? encryptField(dl.number) : null,
      drivers_license_bidx: dl ? blindIndex('drivers_license', dl.number) : null,
      drivers_license_last4: dl ? lastFour(dl.number) : null,
      medical_card_state: mc?.state ?? null,
      medical_card_ciphertext: mc ? encryptField(mc.number) : null,
      medical_card_bidx: mc ? blindIndex('medical_card', mc.number) : null,
      medical_card_last4: mc ? lastFour(mc.number) : null,
      folded_updated: 0,
      folded_unchanged: 0,
    },
  };
}
