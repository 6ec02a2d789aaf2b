import Joi from 'joi';
import { API_KEY_ROLES } from '../../db/users/roles.js';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';

const storeParams = { storeId: uuid().required() };

export const listApiKeysSchema = {
  params: Joi.object(storeParams),
  query: Joi.object(listQuery),
};

export const createApiKeySchema = {
  params: Joi.object(storeParams),
  body: Joi.object({
    name: Joi.string().trim().min(1).max(100).required(),
    role: Joi.string()
      .valid(...API_KEY_ROLES)
      .required(),
  }),
};

export const revokeApiKeySchema = {
  params: Joi.object({ ...storeParams, keyId: uuid().required() }),
};

export const apiKeyResponse = Joi.object({
  id: uuid().required(),
  storeId: uuid().required(),
  name: Joi.string().required(),
  role: Joi.string()
    .valid(...API_KEY_ROLES)
    .required(),
  prefix: Joi.string().required().description('the public start of the key, to recognise it'),
  createdAt: Joi.date().iso().required(),
  lastUsedAt: Joi.date().iso().allow(null).required(),
  revokedAt: Joi.date().iso().allow(null).required(),
});

export const createdApiKeyResponse = apiKeyResponse.keys({
  key: Joi.string().required().description('the secret, shown this once: store it now'),
});

export const apiKeyPage = pageOf(apiKeyResponse);
