import Joi from 'joi';
import { ROLES } from '../../db/users/roles.js';
import { uuid } from '../http/list-schemas.js';

export const loginSchema = {
  body: Joi.object({
    email: Joi.string().trim().lowercase().email({ tlds: false }).max(254).required(),
    // Capped so a huge password cannot make the (deliberately slow) hash a denial of service.
    password: Joi.string().min(1).max(1024).required(),
  }),
};

export const refreshSchema = {
  body: Joi.object({ refreshToken: Joi.string().max(200).required() }),
};

const sessionUser = Joi.object({
  id: uuid().required(),
  organizationId: uuid().allow(null).required().description('null for platform sysadmins'),
  email: Joi.string().required(),
  name: Joi.string().required(),
  role: Joi.string()
    .valid(...ROLES)
    .required(),
});

export const sessionResponse = Joi.object({
  accessToken: Joi.string().required().description('JWT, sent as `Authorization: Bearer <accessToken>`'),
  refreshToken: Joi.string().required().description('single use: each refresh answers a new one'),
  tokenType: Joi.string().valid('Bearer').required(),
  expiresIn: Joi.number().integer().required().description('seconds until the access token expires'),
  user: sessionUser.required(),
});

/** Public routes document their errors themselves (authenticated routes get a default error response). */
export const errorResponse = Joi.object({
  error: Joi.object({
    code: Joi.string().required(),
    message: Joi.string().required(),
    details: Joi.array().items(Joi.object().unknown(true)).required(),
    requestId: Joi.string().required(),
  }).required(),
});
