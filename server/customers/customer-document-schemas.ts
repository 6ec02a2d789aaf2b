import Joi from 'joi';
import { DOCUMENT_TYPES } from '../../db/customers/customer-document-repository.js';
import { listQuery, pageOf, uuid } from '../http/list-schemas.js';
import { customerParams, dateOnly, nullableText } from './customer-subresource-schemas.js';

export const listDocumentsSchema = {
  params: Joi.object(customerParams),
  query: Joi.object(listQuery),
};

export const addDocumentSchema = {
  params: Joi.object(customerParams),
  body: Joi.object({
    type: Joi.string()
      .valid(...DOCUMENT_TYPES)
      .required(),
    number: Joi.string().trim().min(1).max(50).required(),
    issuingRegion: nullableText(100),
    expiresOn: dateOnly().allow(null),
  }).required(),
};

export const removeDocumentSchema = {
  params: Joi.object({ ...customerParams, documentId: uuid().required() }),
};

export const documentResponse = Joi.object({
  id: uuid().required(),
  type: Joi.string()
    .valid(...DOCUMENT_TYPES)
    .required(),
  number: Joi.string().required().description('in full for managers and up, masked (•••• 1234) for staff'),
  issuingRegion: Joi.string().allow(null).required(),
  expiresOn: Joi.string().allow(null).required().description('YYYY-MM-DD'),
  file: Joi.object({ contentType: Joi.string().required(), size: Joi.number().integer().allow(null).required() })
    .allow(null)
    .required(),
  createdAt: Joi.date().iso().required(),
});

export const documentPage = pageOf(documentResponse);
