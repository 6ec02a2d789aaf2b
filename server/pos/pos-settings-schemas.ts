import Joi from 'joi';
import { POS_PROVIDERS } from '../../integrations/pos/pos-types.js';
import { uuid } from '../http/list-schemas.js';
import { customerSyncResponse } from '../syncs/customer-sync-schemas.js';

const storeParams = Joi.object({ storeId: uuid().required() });

// Five or six cron fields; BullMQ's parser has the last word when the schedule is registered.
const CRON = /^\s*\S+(\s+\S+){4,5}\s*$/;

export const putPosSettingsSchema = {
  params: storeParams,
  body: Joi.object({
    provider: Joi.string()
      .valid(...POS_PROVIDERS)
      .required(),
    credentials: Joi.object().unknown(true).required().description('per provider (API.md "POS settings"); write-only'),
    baseUrl: Joi.string().max(500).allow(null),
    authUrl: Joi.string().max(500).allow(null),
    syncSchedule: Joi.string().max(100).pattern(CRON).description("cron in the store's time zone; default '0 3 * * *'"),
  }),
};

export const getPosSettingsSchema = { params: storeParams };

export const posSettingsResponse = Joi.object({
  provider: Joi.string()
    .valid(...POS_PROVIDERS)
    .required(),
  baseUrl: Joi.string().allow(null).required(),
  authUrl: Joi.string().allow(null).required(),
  syncSchedule: Joi.string().required(),
  lastSync: customerSyncResponse.allow(null).required(),
});
