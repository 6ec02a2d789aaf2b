import type { RequestHandler, Response } from 'express';
import { AppError } from '../../config/errors.js';
import type { Db } from '../../db/knex.js';
import {
  completeClaim,
  findIdempotencyKey,
  insertClaim,
  releaseClaim,
  takeOverExpiredClaim,
  type ClaimToken,
} from '../../db/idempotency/idempotency-repository.js';
import {
  decideExistingKey,
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_TTL_MS,
  IN_FLIGHT_LEASE_MS,
  isStorableStatus,
  isValidIdempotencyKey,
  requestFingerprint,
} from '../../db/idempotency/idempotency-rules.js';
import { withTenant } from '../../db/tenant.js';
import type { AppDeps } from '../app-deps.js';

type ClaimOutcome = { kind: 'claimed'; token: ClaimToken } | { kind: 'replay'; status: number; body: unknown };

// A claim can vanish between the failed insert and the read (its request failed and released it);
// a few rounds settle that race.
const CLAIM_ATTEMPTS = 3;

async function claim(db: Db, orgId: string, key: string, fingerprint: string): Promise<ClaimOutcome> {
  return withTenant(db, { orgId }, async (trx) => {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const token = await insertClaim(trx, orgId, key, fingerprint, IN_FLIGHT_LEASE_MS);
      if (token) return { kind: 'claimed', token };
      const existing = await findIdempotencyKey(trx, orgId, key);
      if (!existing) continue;
      switch (decideExistingKey(existing, fingerprint)) {
        case 'take_over': {
          const taken = await takeOverExpiredClaim(trx, orgId, key, fingerprint, IN_FLIGHT_LEASE_MS);
          if (taken) return { kind: 'claimed', token: taken };
          continue;
        }
        case 'mismatch':
          throw new AppError('idempotency_mismatch', 'this Idempotency-Key was used with a different request', {
            details: [{ path: IDEMPOTENCY_HEADER, message: 'was used with another method, path or body' }],
          });
        case 'in_flight':
          throw new AppError('conflict', 'a request with this Idempotency-Key is still in progress', {
            details: [{ path: IDEMPOTENCY_HEADER, message: 'is still in progress; retry later' }],
          });
        case 'replay':
          return { kind: 'replay', status: existing.responseStatus!, body: existing.responseBody };
      }
    }
    throw new AppError('conflict', 'a request with this Idempotency-Key is changing hands; retry', {
      details: [{ path: IDEMPOTENCY_HEADER, message: 'is contended; retry later' }],
    });
  });
}

function replay(res: Response, status: number, body: unknown): void {
  res.setHeader('Idempotent-Replayed', 'true');
  res.status(status);
  if (body === null || body === undefined) res.end();
  else res.json(body);
}

/**
 * Makes a POST safe to retry (API.md "Writes"): the first answer to an organisation's
 * `Idempotency-Key` is replayed to every later request with the same method, path, query and body.
 *
 * The claim is committed in its own transaction before the handler runs, so a concurrent duplicate
 * sees it and gets 409 instead of waiting. The answer is stored in another short transaction after
 * the handler's own has committed, and before the answer leaves, so a client that saw the answer
 * always gets the replay. Consequence: the handler's work and the stored answer are not atomic. If
 * the process dies between the two, the claim stays in flight until its lease runs out, and a retry
 * after that executes again; and a failed store is logged while the answer is still sent.
 *
 * Only JSON answers (and bodiless 204s) are replayed; other answers release the key. Headers other
 * than the status are not replayed. Routes without an organisation (platform scope) pass through:
 * keys are scoped to an organisation.
 */
export function idempotency(deps: AppDeps, options: { required: boolean }): RequestHandler {
  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined) {
      if (options.required) {
        throw new AppError('validation_failed', `${IDEMPOTENCY_HEADER} header is required for this request`, {
          details: [{ path: IDEMPOTENCY_HEADER, message: 'is required' }],
        });
      }
      return next();
    }
    if (!isValidIdempotencyKey(key)) {
      throw new AppError('validation_failed', `${IDEMPOTENCY_HEADER} must be 1 to 255 printable characters`, {
        details: [{ path: IDEMPOTENCY_HEADER, message: 'must be 1 to 255 printable ASCII characters' }],
      });
    }
    const orgId = res.locals.orgId;
    if (!orgId) return next();

    const fingerprint = requestFingerprint({
      method: req.method,
      path: req.originalUrl.split('?')[0],
      query: res.locals.valid.query,
      body: res.locals.valid.body,
      upload: res.locals.upload?.bytes,
    });
    const outcome = await claim(deps.db, orgId, key, fingerprint);
    if (outcome.kind === 'replay') return replay(res, outcome.status, outcome.body);

    let settled = false;
    // `answer` undefined releases the claim: the client may retry the key.
    const settle = async (answer?: { status: number; body: unknown }): Promise<void> => {
      settled = true;
      try {
        await withTenant(deps.db, { orgId }, async (trx) => {
          if (!answer || !isStorableStatus(answer.status)) return releaseClaim(trx, orgId, key, outcome.token);
          const stored = await completeClaim(trx, orgId, key, outcome.token, answer, IDEMPOTENCY_TTL_MS);
          // Our lease ran out and another request took the key over: its answer is the one kept.
          if (!stored) deps.logger.warn('idempotency claim was lost before its answer was stored');
        });
      } catch (err) {
        deps.logger.error('could not record the idempotent answer', { err, status: answer?.status });
      }
    };

    const sendJson = res.json.bind(res);
    res.json = (body: unknown) => {
      if (settled) return sendJson(body);
      void settle({ status: res.statusCode, body })
        .then(() => sendJson(body))
        .catch(next);
      return res;
    };
    // Answers that bypass res.json cannot be replayed as they were, except a bodiless 204. A client
    // that hangs up is no reason to release: the handler is still running and will answer.
    res.on('finish', () => {
      if (!settled) void settle(res.statusCode === 204 ? { status: 204, body: undefined } : undefined);
    });
    next();
  };
}
