import Joi from 'joi';

/**
 * API.md "POS settings": flowhub `{clientId, key}`. `locationId` is an optional extra for clients with
 * several locations: writes need a `store_id`, and a Flowhub clientId may cover many stores. Without it
 * the adapter asks GET /v0/clientsLocations and uses the only location there is.
 */
export const flowhubCredentials = Joi.object<FlowhubCredentials>({
  clientId: Joi.string().trim().min(1).max(200).required(),
  key: Joi.string().trim().min(1).max(500).required(),
  locationId: Joi.string().trim().min(1).max(200),
});

export interface FlowhubCredentials {
  clientId: string;
  key: string;
  locationId?: string;
}

// Flowhub omits, nulls or blanks fields as it pleases (pos-apis.md [M]): everything but `id` may be absent.
const text = Joi.string().allow('', null);

/** The Swagger "customer-model" (pos-apis.md, YB-flowhub `orders-api.ts`), the fields we read. */
export const flowhubCustomer = Joi.object<FlowhubCustomer>({
  id: Joi.string().min(1).required(),
  name: text,
  type: text,
  birthDate: text,
  phone: text,
  email: text,
  state: text,
  isLoyal: Joi.boolean().allow(null),
  loyaltyPoints: Joi.number().allow(null),
  // Absent from the documented response ([L] write-only); mapped when a tenant's API does send them.
  stateId: text,
  stateIdExpiration: text,
  medId: text,
  medIdExpiration: text,
  streetAddress1: text,
  streetAddress2: text,
  city: text,
  zip: text,
  consentsToPromotionalEmail: Joi.boolean().allow(null),
  consentsToPromotionalSMS: Joi.boolean().allow(null),
  createdAt: Joi.string().isoDate().allow(null),
  updatedAt: Joi.string().isoDate().allow(null),
}).unknown(true);

export interface FlowhubCustomer {
  id: string;
  name?: string | null;
  type?: string | null;
  birthDate?: string | null;
  phone?: string | null;
  email?: string | null;
  state?: string | null;
  isLoyal?: boolean | null;
  loyaltyPoints?: number | null;
  stateId?: string | null;
  stateIdExpiration?: string | null;
  medId?: string | null;
  medIdExpiration?: string | null;
  streetAddress1?: string | null;
  streetAddress2?: string | null;
  city?: string | null;
  zip?: string | null;
  consentsToPromotionalEmail?: boolean | null;
  consentsToPromotionalSMS?: boolean | null;
  createdAt?: string | null;
  updatedAt?: string | null;
}

/**
 * GET /v1/customers/: the Swagger declares a single object, integrators read `d.data || d` as an array
 * (pos-apis.md "Still unknown: the real list envelope"). Both forms are accepted; anything else is junk.
 */
export const flowhubCustomerArray = Joi.array().items(flowhubCustomer).required();
export const flowhubCustomerPage = Joi.object({ data: flowhubCustomerArray }).unknown(true).required();

/** GET /v1/customers/{id} and the write answers: the customer-model, bare or wrapped like the lists. */
export const flowhubCustomerEnvelope = Joi.object({ data: flowhubCustomer.required() }).unknown(true).required();

/** GET /v0/clientsLocations → `{status, data: [...]}` ([M], YB-flowhub `types/locations.ts`). */
export const flowhubLocations = Joi.object({
  data: Joi.array()
    .items(
      Joi.object({
        locationId: Joi.string().min(1).required(),
        timeZone: Joi.string().allow('', null),
        address: Joi.object({ state: Joi.string().allow('', null) })
          .unknown(true)
          .allow(null),
      }).unknown(true),
    )
    .required(),
})
  .unknown(true)
  .required();

export interface FlowhubLocation {
  locationId: string;
  timeZone?: string | null;
  address?: { state?: string | null } | null;
}

/** The body of POST /v1/customer and PUT /v1/customer/{id}: required birthDate, name, state, type. */
export interface FlowhubCustomerWrite {
  birthDate: string;
  name: string;
  state: string;
  type: 'recCustomer' | 'medCustomer';
  email?: string | null;
  phone?: string | null;
  stateId?: string | null;
  stateIdExpiration?: string | null;
  medId?: string | null;
  medIdExpiration?: string | null;
  streetAddress1?: string | null;
  streetAddress2?: string | null;
  city?: string | null;
  zip?: string | null;
  consentsToPromotionalEmail?: boolean | null;
  consentsToPromotionalSMS?: boolean | null;
}
