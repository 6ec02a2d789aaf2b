import Joi from 'joi';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';
import { customerParams } from './customer-subresource-schemas.js';

export const listNotesSchema = {
  params: Joi.object(customerParams),
  query: Joi.object(listQuery),
};

export const addNoteSchema = {
  params: Joi.object(customerParams),
  body: Joi.object({ content: Joi.string().trim().min(1).max(500).required() }),
};

export const noteResponse = Joi.object({
  id: uuid().required(),
  content: Joi.string().required(),
  authorId: uuid().allow(null).required(),
  createdAt: Joi.date().iso().required(),
});

export const notePage = pageOf(noteResponse);
