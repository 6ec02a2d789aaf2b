import { expect } from 'chai';
import type { PosClient } from '../../integrations/pos/pos-client.js';
import { PosError, type PosErrorCode } from '../../integrations/pos/pos-errors.js';
import type { PosCustomer } from '../../integrations/pos/pos-types.js';
import type { RateLimiter } from '../../integrations/pos/rate-limiter.js';

// What the POS adapter tests share: a rate limiter that never waits, every page of a listing, and the
// PosError a call must fail with.

export const UNLIMITED: RateLimiter = { acquire: async () => undefined, pauseFor: () => undefined };

/** Every page `client` lists of the customers changed since `since` (all of them for null). */
export async function listPages(
  client: Pick<PosClient, 'listCustomersChangedSince'>,
  since: Date | null,
): Promise<PosCustomer[][]> {
  const pages: PosCustomer[][] = [];
  for await (const page of client.listCustomersChangedSince(since)) pages.push(page);
  return pages;
}

/** The PosError `work` fails with, after checking its code; a call that succeeds fails the test. */
export async function expectPosError(work: Promise<unknown>, code: PosErrorCode): Promise<PosError> {
  try {
    await work;
  } catch (err) {
    expect(err, String(err)).to.be.an.instanceOf(PosError);
    expect((err as PosError).code, (err as Error).message).to.equal(code);
    return err as PosError;
  }
  throw new Error(`expected PosError ${code}, the call succeeded`);
}
