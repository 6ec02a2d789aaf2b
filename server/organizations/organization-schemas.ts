import Joi from 'joi';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';

export const createOrganizationSchema = {
  body: Joi.object({ name: Joi.string().trim().min(1).max(200).required() }).required(),
};

export const listOrganizationsSchema = { query: Joi.object(listQuery) };

export const organizationResponse = Joi.object({
  id: uuid().required(),
  name: Joi.string().required(),
  createdAt: Joi.date().iso().required(),
  updatedAt: Joi.date().iso().required(),
});

export const organizationPage = pageOf(organizationResponse);
