import Joi from 'joi';
import { uuid } from '../http/list-schemas.js';
import { customerParams } from './customer-subresource-schemas.js';

const label = () => Joi.string().trim().min(1).max(50);

export const addTagSchema = {
  params: Joi.object(customerParams),
  body: Joi.object({ label: label().required() }),
};

export const removeTagSchema = {
  params: Joi.object({ ...customerParams, label: label().required() }),
};

export const tagResponse = Joi.object({
  id: uuid().required(),
  label: Joi.string().required().description('as stored: an existing tag keeps the case it was first added in'),
  createdAt: Joi.date().iso().required(),
});
