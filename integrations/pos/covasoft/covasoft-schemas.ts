import Joi from 'joi';

// Cova's CRM comes from iQmetrix's: PascalCase JSON, GUID ids, .NET timestamps. Shapes follow Cova's API
// docs and iQmetrix's CRM reference (pos-apis.md §4). Response schemas allow unknown keys: Cova adds fields.

/** A store's Cova settings, from its onboarding package (API.md "POS settings"). */
export interface CovasoftCredentials {
  companyId: number;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}

export const covasoftCredentialsSchema = Joi.object<CovasoftCredentials>({
  // An int in Cova's paths; a numeric string from a settings form is accepted and converted.
  companyId: Joi.number().integer().positive().required(),
  username: Joi.string().min(1).required(),
  password: Joi.string().min(1).required(),
  clientId: Joi.string().min(1).required(),
  clientSecret: Joi.string().min(1).required(),
});

export interface CovaTokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
}

export const tokenResponseSchema = Joi.object<CovaTokenResponse>({
  access_token: Joi.string().min(1).required(),
  expires_in: Joi.number().positive().required(),
  refresh_token: Joi.string().allow('', null),
}).unknown(true);

export interface CovaContactMethod {
  Id?: string | null;
  /** 1 Phone, 2 Email, 3 Other. */
  ContactMethodCategoryId: number;
  /** Phone: 1 Home, 2 Work, 3 Mobile, 4 Company, 5 Pager, 6 Home fax, 7 Work fax, 8 Other; Email: 9 Home, 10 Work, 11 Other. */
  ContactMethodTypeId?: number | null;
  Value?: string | null;
  Default?: boolean | null;
  DoNotContact?: boolean | null;
  [key: string]: unknown;
}

export interface CovaCustomerFull {
  Id: string;
  /** 1 None, 2 Person, 3 Company (not rec vs med). */
  CustomerTypeId?: number | null;
  PrimaryName?: string | null;
  MiddleName?: string | null;
  FamilyName?: string | null;
  /** 'yyyy-mm-ddThh:mm:ss[.fffffff][offset]'; Cova accepts the short 'yyyy-mm-dd' on writes. */
  DateOfBirth?: string | null;
  Disabled?: boolean | null;
  MergedIntoCustomerId?: string | null;
  /** UTC, often without a zone designator (a .NET DateTime of unspecified kind). */
  LastModifiedDateUtc?: string | null;
  ContactMethods?: CovaContactMethod[] | null;
  Version?: number | null;
  [key: string]: unknown;
}

// 'yyyy-mm-dd', optionally followed by a time, up to 7 fractional digits and an offset or Z.
const dotNetDateTime = Joi.string().pattern(
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?([zZ]|[+-]\d{2}:?\d{2})?)?$/,
  'date-time',
);
const optionalText = Joi.string().allow('', null);

const contactMethodSchema = Joi.object({
  Id: Joi.string().allow(null),
  ContactMethodCategoryId: Joi.number().integer().required(),
  ContactMethodTypeId: Joi.number().integer().allow(null),
  Value: optionalText,
  Default: Joi.boolean().allow(null),
  DoNotContact: Joi.boolean().allow(null),
}).unknown(true);

export const customerFullSchema = Joi.object<CovaCustomerFull>({
  Id: Joi.string().guid().required(),
  CustomerTypeId: Joi.number().integer().allow(null),
  PrimaryName: optionalText,
  MiddleName: optionalText,
  FamilyName: optionalText,
  DateOfBirth: dotNetDateTime.allow('', null),
  Disabled: Joi.boolean().allow(null),
  MergedIntoCustomerId: Joi.string().guid().allow('', null),
  LastModifiedDateUtc: dotNetDateTime.allow(null),
  ContactMethods: Joi.array().items(contactMethodSchema).allow(null),
  Version: Joi.number().integer().allow(null),
}).unknown(true);

/** GET …/CustomerFull answers a bare array, with no envelope, count or next link. */
export const customerFullPageSchema = Joi.array<CovaCustomerFull[]>().items(customerFullSchema).required();

/** What POST …/CustomerFull answers (201, the created CustomerFull): only its Id matters here. */
export const createdCustomerSchema = Joi.object<{ Id: string }>({ Id: Joi.string().guid().required() }).unknown(true);
