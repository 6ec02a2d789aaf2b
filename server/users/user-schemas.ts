import Joi from 'joi';
import { ROLES } from '../../db/users/roles.js';
import { ORG_ROLES } from '../../db/users/user-rules.js';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';

const name = Joi.string().trim().min(1).max(200);
const password = Joi.string().min(12).max(200);
const role = Joi.string()
  .valid(...ORG_ROLES)
  .messages({ 'any.only': 'must be staff, manager or admin (sysadmins are created with the CLI)' });
const storeIds = Joi.array().items(uuid()).unique().max(1000);
const userParams = Joi.object({ userId: uuid().required() });

export const createUserSchema = {
  body: Joi.object({
    email: Joi.string().trim().lowercase().email({ tlds: false }).max(254).required(),
    password: password.required(),
    name: name.required(),
    role: role.required(),
    storeIds: storeIds.default([]),
    organizationId: uuid().description('sysadmins only: the organisation to add the user to (e.g. its first admin)'),
  }).required(),
};

export const listUsersSchema = {
  query: Joi.object({ ...listQuery, role: Joi.string().valid(...ROLES) }),
};

export const updateUserSchema = {
  params: userParams,
  body: Joi.object({ name, role, storeIds, password }).min(1).required(),
};

export const deleteUserSchema = { params: userParams };

export const userResponse = Joi.object({
  id: uuid().required(),
  organizationId: uuid().required(),
  email: Joi.string().required(),
  name: Joi.string().required(),
  role: Joi.string()
    .valid(...ROLES)
    .required(),
  storeIds: Joi.array().items(uuid()).required(),
  version: Joi.number().integer().required(),
  createdAt: Joi.date().iso().required(),
  updatedAt: Joi.date().iso().required(),
  lastLoginAt: Joi.date().iso().allow(null).required(),
});

export const userPage = pageOf(userResponse);
