import Joi from 'joi';

// BLAZE partner API (Swagger "BLAZE Developer API 1.0.0"). Only the fields the mappers read; the rest of a
// Member passes through untouched, which matters: an update PUTs the whole Member back.

export interface BlazeCredentials {
  /** The partner (integrator) key: `x-api-key`, formerly `partner_key`. Blaze counts calls against it. */
  partnerKey: string;
  /** The developer/dispensary key, sent raw as `Authorization`; it fixes the company and shop. */
  apiKey: string;
}

const key = Joi.string().trim().min(1).max(500).required();
export const blazeCredentials = Joi.object<BlazeCredentials>({ partnerKey: key, apiKey: key });

const text = Joi.string().allow('', null);
const epochMs = Joi.number().allow(null);

export interface BlazeIdentification {
  licenseNumber?: string | null;
  expirationDate?: number | null;
  state?: string | null;
  /** Drivers | Passport | StateId | Other */
  type?: string | null;
}

export interface BlazeRecommendation {
  recommendationNumber?: string | null;
  expirationDate?: number | null;
  state?: string | null;
}

export interface BlazeMember {
  id: string;
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
  /** Epoch ms. */
  dob?: number | null;
  birthdate?: string | null;
  email?: string | null;
  primaryPhone?: string | null;
  cpn?: string | null;
  /** Active | Pending | Inactive */
  status?: string | null;
  /** Other | AdultUse | MedicinalState | MedicinalThirdParty */
  consumerType?: string | null;
  medical?: boolean | null;
  deleted?: boolean | null;
  identifications?: BlazeIdentification[] | null;
  recommendations?: BlazeRecommendation[] | null;
  loyaltyPoints?: number | null;
  /** Epoch ms. */
  modified?: number | null;
  [field: string]: unknown;
}

export const blazeMember = Joi.object<BlazeMember>({
  id: Joi.string().min(1).required(),
  firstName: text,
  middleName: text,
  lastName: text,
  dob: epochMs,
  birthdate: text,
  email: text,
  primaryPhone: text,
  cpn: text,
  status: text,
  consumerType: text,
  medical: Joi.boolean().allow(null),
  deleted: Joi.boolean().allow(null),
  identifications: Joi.array()
    .items(Joi.object<BlazeIdentification>({ licenseNumber: text, expirationDate: epochMs, state: text, type: text }))
    .allow(null),
  recommendations: Joi.array()
    .items(Joi.object<BlazeRecommendation>({ recommendationNumber: text, expirationDate: epochMs, state: text }))
    .allow(null),
  loyaltyPoints: Joi.number().allow(null),
  modified: epochMs,
});

export interface BlazeMemberPage {
  values: BlazeMember[];
  skip?: number;
  limit?: number;
  total: number;
}

/** `GET /members`: `{values, skip, limit, total}`. */
export const blazeMemberPage = Joi.object<BlazeMemberPage>({
  values: Joi.array().items(blazeMember).required(),
  skip: Joi.number().integer().min(0),
  limit: Joi.number().integer().min(0),
  total: Joi.number().integer().min(0).required(),
});
