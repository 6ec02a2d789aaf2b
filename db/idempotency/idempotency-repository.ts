import { decryptField, encryptField } from '../crypto/field-encryption.js';
import { uuidsIn } from '../ids.js';
import type { Trx } from '../knex.js';

/** An answer as stored: encrypted, with the record ids it names (erasure drops answers by them). */
function sealAnswer(body: unknown): { response_sealed: string | null; response_subjects: string[] | null } {
  if (body === undefined) return { response_sealed: null, response_subjects: null };
  const text = JSON.stringify(body);
  return { response_sealed: encryptField(text), response_subjects: uuidsIn(text) };
}

/**
 * Identifies one claim of a key: its `created_at`, truncated to milliseconds so it survives the
 * round trip through a JS Date. Completing or releasing a claim matches it, so a request whose
 * lease ran out cannot overwrite or delete the claim of the request that took the key over.
 */
export type ClaimToken = Date;

export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  status: 'in_flight' | 'completed';
  responseStatus: number | null;
  responseBody: unknown;
  createdAt: Date;
  expiresAt: Date;
  /** Evaluated by the database clock, like every other expiry here. */
  expired: boolean;
}

const NOW_MS = `date_trunc('milliseconds', now())`;

/** Claims a free key; undefined when the key is already held (by anyone, expired or not). */
export async function insertClaim(
  trx: Trx,
  orgId: string,
  key: string,
  requestHash: string,
  leaseMs: number,
): Promise<ClaimToken | undefined> {
  const { rows } = await trx.raw(
    `insert into idempotency_keys (organization_id, key, request_hash, status, created_at, expires_at)
     values (?, ?, ?, 'in_flight', ${NOW_MS}, ${NOW_MS} + make_interval(secs => ?))
     on conflict (organization_id, key) do nothing
     returning created_at`,
    [orgId, key, requestHash, leaseMs / 1000],
  );
  return rows[0]?.created_at;
}

/** Takes over an expired claim; undefined if it is no longer expired (someone else got there first). */
export async function takeOverExpiredClaim(
  trx: Trx,
  orgId: string,
  key: string,
  requestHash: string,
  leaseMs: number,
): Promise<ClaimToken | undefined> {
  const { rows } = await trx.raw(
    `update idempotency_keys
     set request_hash = ?, status = 'in_flight', response_status = null, response_body = null,
         created_at = ${NOW_MS}, expires_at = ${NOW_MS} + make_interval(secs => ?)
     where organization_id = ? and key = ? and expires_at < now()
     returning created_at`,
    [requestHash, leaseMs / 1000, orgId, key],
  );
  return rows[0]?.created_at;
}

export async function findIdempotencyKey(trx: Trx, orgId: string, key: string): Promise<IdempotencyRecord | undefined> {
  const row = await trx('idempotency_keys')
    .where({ organization_id: orgId, key })
    .first('*', trx.raw('expires_at < now() as expired'));
  if (!row) return undefined;
  return {
    key: row.key,
    requestHash: row.request_hash,
    status: row.status,
    responseStatus: row.response_status,
    responseBody: row.response_sealed === null ? row.response_body : JSON.parse(decryptField(row.response_sealed)),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    expired: row.expired,
  };
}

/** Stores the answer of a claim and keeps it for `ttlMs` from the claim's creation. */
export async function completeClaim(
  trx: Trx,
  orgId: string,
  key: string,
  token: ClaimToken,
  response: { status: number; body: unknown },
  ttlMs: number,
): Promise<boolean> {
  const updated = await trx('idempotency_keys')
    .where({ organization_id: orgId, key, status: 'in_flight', created_at: token })
    .update({
      status: 'completed',
      response_status: response.status,
      response_body: null,
      ...sealAnswer(response.body),
      expires_at: trx.raw(`created_at + make_interval(secs => ?)`, [ttlMs / 1000]),
    });
  return updated > 0;
}

/** Deletes an in-flight claim so the key can be used again. */
export async function releaseClaim(trx: Trx, orgId: string, key: string, token: ClaimToken): Promise<void> {
  await trx('idempotency_keys').where({ organization_id: orgId, key, status: 'in_flight', created_at: token }).delete();
}
