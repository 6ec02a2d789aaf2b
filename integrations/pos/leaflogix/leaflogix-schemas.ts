import Joi from 'joi';

// Dutchie POS (formerly LeafLogix). Only the fields the mappers read; validateResponse allows the rest.

export interface LeaflogixCredentials {
  /** One key per location, issued by Dutchie Support; sent as the Basic username with a blank password. */
  apiKey: string;
}

export const leaflogixCredentials = Joi.object<LeaflogixCredentials>({
  apiKey: Joi.string().trim().min(1).max(500).required(),
});

/** `GET /whoami`: the only PascalCase answer of the API. */
export interface LeaflogixWhoami {
  LocationId: number;
  LocationName: string | null;
  CompanyId: number;
  CompanyName: string | null;
}

export const leaflogixWhoami = Joi.object<LeaflogixWhoami>({
  LocationId: Joi.number().integer().required(),
  LocationName: Joi.string().allow('', null),
  CompanyId: Joi.number().integer().required(),
  CompanyName: Joi.string().allow('', null),
});

const text = Joi.string().allow('', null);

export interface LeaflogixCustomer {
  customerId?: number;
  /** The docs' pagination example spells it this way; some answers do too. */
  customerID?: number;
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
  dateOfBirth?: string | null;
  phone?: string | null;
  cellPhone?: string | null;
  emailAddress?: string | null;
  status?: string | null;
  customerType?: string | null;
  mmjidNumber?: string | null;
  mmjidExpirationDate?: string | null;
  isLoyaltyMember?: boolean | null;
  mergedIntoCustomerId?: number | null;
  lastModifiedDateUTC?: string | null;
}

export const leaflogixCustomer = Joi.object<LeaflogixCustomer>({
  customerId: Joi.number().integer(),
  customerID: Joi.number().integer(),
  firstName: text,
  middleName: text,
  lastName: text,
  dateOfBirth: text,
  phone: text,
  cellPhone: text,
  emailAddress: text,
  status: text,
  customerType: text,
  mmjidNumber: text,
  mmjidExpirationDate: text,
  isLoyaltyMember: Joi.boolean().allow(null),
  mergedIntoCustomerId: Joi.number().integer().allow(null),
  lastModifiedDateUTC: text,
}).or('customerId', 'customerID');

/** `GET /customer/customers-paginated` answers a bare array (no envelope, no total). */
export const leaflogixCustomerPage = Joi.array().items(leaflogixCustomer).required();

export interface LeaflogixLoyaltyBalance {
  customerId?: number;
  customerID?: number;
  loyaltyBalance?: number | null;
}

/** `GET /reporting/loyalty-snapshot` [M: third-party code]: one row per loyalty member of the company. */
export const leaflogixLoyaltySnapshot = Joi.array()
  .items(
    Joi.object<LeaflogixLoyaltyBalance>({
      customerId: Joi.number().integer(),
      customerID: Joi.number().integer(),
      loyaltyBalance: Joi.number().allow(null),
    }).or('customerId', 'customerID'),
  )
  .required();

/**
 * `POST /customer/customer` [ASSUMPTION: the answer is undocumented]: the saved customer, or its bare id.
 * Either way the id is what we need.
 */
export const leaflogixSaveResponse = Joi.alternatives(
  Joi.number().integer(),
  Joi.object({ customerId: Joi.number().integer(), customerID: Joi.number().integer() }).or('customerId', 'customerID'),
).required();

export type LeaflogixSaveResponse = number | { customerId?: number; customerID?: number };

/** Dutchie's 429 body: `{"Message":"Too many requests - only 120 per minute allowed","TraceId":"…"}`. */
export const leaflogixErrorBody = Joi.object({ Message: Joi.string().allow(''), TraceId: Joi.string().allow('') });
