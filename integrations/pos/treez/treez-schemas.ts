import Joi from 'joi';

// Treez's shapes as code.treez.io documents them (pos-apis.md §1). Only what the mappers read is
// checked; unknown keys are allowed, so the vendor adding a field changes nothing.

/** Legacy v2: one client id per partner, one API key per location, exchanged for a 2 h token. */
export interface TreezV2Credentials {
  dispensary: string;
  clientId: string;
  apiKey: string;
}

/** v3: a certificate Treez issued for our RSA key, scoped to an organisation; tokens are self-signed. */
export interface TreezV3Credentials {
  dispensary: string;
  certificateId: string;
  organizationId: string;
  /** PEM (PKCS#8 or PKCS#1) of the key whose certificate Treez holds. */
  privateKey: string;
}

export type TreezCredentials = TreezV2Credentials | TreezV3Credentials;

// The dispensary is the `<slug>.treez.io` subdomain and goes into every path: a DNS label, nothing else.
const dispensary = Joi.string()
  .trim()
  .max(63)
  .pattern(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i)
  .required();
const secret = Joi.string().trim().min(1).max(4096).required();

const v2Credentials = Joi.object<TreezV2Credentials>({ dispensary, clientId: secret, apiKey: secret });
const v3Credentials = Joi.object<TreezV3Credentials>({
  dispensary,
  certificateId: secret,
  organizationId: secret,
  privateKey: Joi.string()
    .pattern(/-----BEGIN (?:RSA )?PRIVATE KEY-----/)
    .max(16_384)
    .required(),
});

export const treezCredentials: Joi.AlternativesSchema<TreezCredentials> = Joi.alternatives().try(
  v3Credentials,
  v2Credentials,
);

const text = Joi.string().allow('', null);
// Ids are numeric strings in v3 ("121") and may be numbers elsewhere (merged_customer_ids are ints).
const id = Joi.alternatives().try(Joi.string().pattern(/^\d+$/), Joi.number().integer().min(0));

export type TreezStatus = 'ACTIVE' | 'DEACTIVATED' | 'MERGED';

export interface TreezCustomer {
  customer_id: string | number;
  first_name?: string | null;
  middle_name?: string | null;
  last_name?: string | null;
  birthday?: string | null;
  email?: string | null;
  phone?: string | null;
  drivers_license?: string | null;
  drivers_license_expiration?: string | null;
  state_medical_id?: string | null;
  permit_expiration?: string | null;
  patient_type?: string | null;
  status: TreezStatus;
  merged_into_customer_id?: string | number | null;
  rewards_balance?: number | null;
  /** ISO with the store's offset, e.g. 2025-10-21T07:26:36.000-07:00. */
  last_update?: string | null;
}

export const treezCustomer = Joi.object<TreezCustomer>({
  customer_id: id.required(),
  first_name: text,
  middle_name: text,
  last_name: text,
  birthday: text,
  email: text,
  phone: text,
  drivers_license: text,
  drivers_license_expiration: text,
  state_medical_id: text,
  permit_expiration: text,
  patient_type: text,
  status: Joi.string().valid('ACTIVE', 'DEACTIVATED', 'MERGED').required(),
  merged_into_customer_id: id.allow('', null),
  rewards_balance: Joi.number().allow(null),
  // Not isoDate(): joi would rewrite it in UTC, and the mapper parses it anyway.
  last_update: Joi.string()
    .pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/)
    .allow(null),
});

/** A list answer: `data` is an array (v2 sends `[]` past the end; null is read as empty). */
export const treezCustomerPage = Joi.object<{ resultCode: 'SUCCESS'; data: TreezCustomer[] | null }>({
  resultCode: Joi.string().valid('SUCCESS').required(),
  data: Joi.array().items(treezCustomer).allow(null).required(),
});

/** The detailcustomer answer: the created record, of which only its id matters to us. */
export const treezCreated = Joi.object<{ resultCode: 'SUCCESS'; data: { customer_id: string | number } }>({
  resultCode: Joi.string().valid('SUCCESS').required(),
  data: Joi.object({ customer_id: id.required() }).required(),
});

export interface TreezTokenAnswer {
  resultCode: 'SUCCESS';
  access_token: string;
  /** [ASSUMPTION] format not documented: read as epoch (s or ms) or an ISO timestamp. */
  expires_at?: number | string | null;
}

export const treezToken = Joi.object<TreezTokenAnswer>({
  resultCode: Joi.string().valid('SUCCESS').required(),
  access_token: Joi.string().min(1).required(),
  expires_at: Joi.alternatives().try(Joi.number(), Joi.string()).allow(null),
});

/**
 * The error envelope `{resultCode: FAIL, resultReason, resultDetail}`. Only a reason that reads as a
 * code (CUSTOMER_DOESNT_EXIST, RESPONSE_LIMIT_EXCEEDS…) is kept: `resultDetail` and sentence-like
 * reasons can quote the customer ("Unable to find customer with id: 20333").
 */
export function treezReasonCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { resultCode, resultReason } = body as { resultCode?: unknown; resultReason?: unknown };
  if (resultCode !== 'FAIL' || typeof resultReason !== 'string') return undefined;
  return /^[A-Z][A-Z0-9_]{1,63}$/.test(resultReason) ? resultReason : undefined;
}
