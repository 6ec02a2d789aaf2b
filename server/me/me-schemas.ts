import Joi from 'joi';
import { ROLES } from '../../db/users/roles.js';
import { uuid } from '../http/list-schemas.js';

const role = Joi.string().valid(...ROLES);
const organization = Joi.object({ id: uuid().required(), name: Joi.string().required() });
const store = Joi.object({
  id: uuid().required(),
  name: Joi.string().required(),
  timezone: Joi.string().required(),
  country: Joi.string().required(),
  currency: Joi.string().required(),
});

export const meResponse = Joi.alternatives().try(
  Joi.object({
    type: Joi.string().valid('user').required(),
    user: Joi.object({
      id: uuid().required(),
      email: Joi.string().required(),
      name: Joi.string().required(),
      role: role.required(),
      organizationId: uuid().allow(null).required(),
    }).required(),
    organization: organization.allow(null).required(),
    stores: Joi.array().items(store).required(),
    role: role.required(),
  }),
  Joi.object({
    type: Joi.string().valid('api_key').required(),
    apiKey: Joi.object({
      id: uuid().required(),
      name: Joi.string().required(),
      role: role.required(),
      storeId: uuid().required(),
    }).required(),
    organization: organization.required(),
    stores: Joi.array().items(store).length(1).required(),
    role: role.required(),
  }),
);
