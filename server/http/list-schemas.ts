import Joi from 'joi';

/** Every collection takes these (API.md: limit 1–100, default 25; opaque cursor). */
export const listQuery = {
  limit: Joi.number().integer().min(1).max(100).default(25),
  cursor: Joi.string().max(1000),
};

export const pageOf = (item: Joi.Schema) =>
  Joi.object({ data: Joi.array().items(item).required(), nextCursor: Joi.string().allow(null).required() });

export const uuid = () => Joi.string().guid({ version: ['uuidv4', 'uuidv7'] });
