import { expect } from 'chai';
import nock from 'nock';
import { CONTRACT_OTHER_SINCE, CONTRACT_SINCE, contractKit, type ContractVendor } from './pos-contract-kit.js';

export * from './pos-contract-kit.js';

/**
 * The behaviour every PosClient adapter owes Patron, run against one vendor's mocks (Stripe's
 * createHttpClientTestSuite). Call it from test/contract/<vendor>.contract.test.ts.
 */
export function runPosContractSuite(vendor: ContractVendor): void {
  const kit = contractKit(vendor);
  const errorBody = (status: number) => vendor.errorBody?.(status) ?? '';
  const records = (from: number, count: number) => Array.from({ length: count }, (_, i) => vendor.makeRecord(from + i));
  const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => vendor.externalIdOf(from + i));
  /** A one-page answer to the first list request. */
  const onePage = (since: Date | null = null, count = 1) =>
    vendor
      .listRequest({ since, pageIndex: 0 })
      .reply(200, vendor.pageBody({ records: records(0, count), pageIndex: 0, total: count }));
  const auth = () => vendor.mockAuth?.();
  // Requests no mock matched (nock answers them 501): named in the failure, with the closest mock's reasons.
  const unmatched: string[] = [];
  const noMatch = (req: { method: string; url: string }, closest?: Array<{ reasons: string[] }>) =>
    unmatched.push(
      `${req.method} ${req.url}${closest?.[0] ? ` (closest mock: ${closest[0].reasons.join('; ')})` : ''}`,
    );
  // Used mocks are checked in the test, not in afterEach: a failing hook would skip the rest of the suite.
  const scenario = (name: string, body: () => Promise<void> | void) =>
    it(name, async () => {
      unmatched.length = 0;
      try {
        await body();
      } catch (err) {
        if (err instanceof Error && unmatched.length) err.message += `\n  no mock matched: ${unmatched.join('\n    ')}`;
        throw err;
      }
      expect(nock.pendingMocks(), 'every mocked request was made').to.deep.equal([]);
    });

  describe(`${vendor.name} PosClient contract`, () => {
    before(() => {
      if (vendor.pageSize < 2) throw new Error('the contract suite needs pageSize ≥ 2');
      nock.disableNetConnect();
      nock.enableNetConnect('127.0.0.1');
      nock.emitter.on('no match', noMatch);
    });
    afterEach(() => nock.cleanAll());
    after(() => {
      nock.emitter.off('no match', noMatch);
      nock.cleanAll();
      nock.enableNetConnect();
    });

    scenario('declares exactly the write methods it has', () => {
      const { client } = kit.start();
      expect(client.capabilities.create).to.equal(typeof client.createCustomer === 'function');
      expect(client.capabilities.update).to.equal(typeof client.updateCustomer === 'function');
    });

    describe('listing', () => {
      scenario('yields several pages one at a time, in our shape, and stops after the last', async () => {
        const size = vendor.pageSize;
        const short = Math.ceil(size / 2);
        const total = 2 * size + short;
        auth();
        for (const [pageIndex, from, count] of [
          [0, 0, size],
          [1, size, size],
          [2, 2 * size, short],
        ]) {
          vendor
            .listRequest({ since: null, pageIndex })
            .reply(200, vendor.pageBody({ records: records(from, count), pageIndex, total }));
        }
        const run = kit.start();
        const pages = await run.list(null);
        expect(pages.map((p) => p.length)).to.deep.equal([size, size, short]);
        expect(pages.flat().map((c) => c.externalId)).to.deep.equal(ids(0, total));
        pages.flat().forEach(kit.expectCustomer);
        expect(run.limited(), 'requests go through the rate limiter').to.be.at.least(3);
      });

      if (vendor.endOfList === 'short-page') {
        scenario('after a full last page, an empty page ends the list', async () => {
          const size = vendor.pageSize;
          auth();
          for (const [pageIndex, count] of [
            [0, size],
            [1, size],
            [2, 0],
          ]) {
            const body = vendor.pageBody({ records: records(pageIndex * size, count), pageIndex, total: 2 * size });
            vendor.listRequest({ since: null, pageIndex }).reply(200, body);
          }
          expect((await kit.start().list(null)).map((p) => p.length)).to.deep.equal([size, size]);
        });
      } else {
        scenario('stops when the total is reached, without asking for an empty page', async () => {
          const size = vendor.pageSize;
          auth();
          for (const pageIndex of [0, 1]) {
            const body = vendor.pageBody({ records: records(pageIndex * size, size), pageIndex, total: 2 * size });
            vendor.listRequest({ since: null, pageIndex }).reply(200, body);
          }
          expect((await kit.start().list(null)).map((p) => p.length)).to.deep.equal([size, size]);
        });
      }

      scenario('an empty store yields nothing', async () => {
        auth();
        vendor
          .listRequest({ since: null, pageIndex: 0 })
          .reply(200, vendor.pageBody({ records: [], pageIndex: 0, total: 0 }));
        expect(await kit.start().list(null)).to.deep.equal([]);
      });

      scenario("sends the incremental filter in the vendor's format", async () => {
        auth();
        onePage(CONTRACT_SINCE, 2);
        const pages = await kit.start().list(CONTRACT_SINCE);
        expect(pages.flat().map((c) => c.externalId)).to.deep.equal(ids(0, 2));
      });

      scenario("the vendor's mock tells one since from another, and from none", async () => {
        const noRetry = { retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 } };
        for (const [mocked, asked] of [
          [CONTRACT_SINCE, CONTRACT_OTHER_SINCE],
          [CONTRACT_SINCE, null],
          [null, CONTRACT_SINCE],
        ] as const) {
          auth();
          onePage(mocked);
          const failed = await kit
            .start(noRetry)
            .list(asked)
            .then(
              () => false,
              () => true,
            );
          expect(
            failed,
            `a mock for ${mocked?.toISOString() ?? 'no since'} answered ${asked?.toISOString() ?? 'no since'}`,
          ).to.equal(true);
          nock.cleanAll();
        }
      });
    });

    describe('failures', () => {
      scenario('401 is pos_auth_failed, not retried, and no token is kept', async () => {
        auth();
        vendor.listRequest({ since: null, pageIndex: 0 }).reply(401, errorBody(401));
        const run = kit.start();
        const err = await kit.expectPosError(run.list(null), 'pos_auth_failed');
        expect(err.retryable).to.equal(false);
        expect(run.retries).to.deep.equal([]);
        expect(run.tokenCache.size(), 'tokens left in the cache').to.equal(0);
      });

      for (const [retryAfter, ms] of [
        ['2', 2_000],
        ['Tue, 12 Mar 2024 12:00:05 GMT', 5_000],
      ] as const) {
        scenario(`429 with Retry-After: ${retryAfter} waits ${ms} ms and then succeeds`, async () => {
          auth();
          vendor.listRequest({ since: null, pageIndex: 0 }).reply(429, errorBody(429), { 'Retry-After': retryAfter });
          onePage();
          const run = kit.start();
          expect((await run.list(null)).flat()).to.have.length(1);
          expect(run.retries.map((r) => [r.code, r.retryAfterMs])).to.deep.equal([['pos_rate_limited', ms]]);
        });
      }

      if (vendor.nonRetryableStatuses?.includes(500)) {
        scenario('500 fails at once as the vendor asks; 503 then 200 succeeds', async () => {
          auth();
          vendor.listRequest({ since: null, pageIndex: 0 }).reply(500, errorBody(500));
          const first = kit.start();
          const err = await kit.expectPosError(first.list(null), 'pos_unavailable');
          expect(err.retryable).to.equal(false);
          expect(first.retries).to.deep.equal([]);
          auth();
          vendor.listRequest({ since: null, pageIndex: 0 }).reply(503, errorBody(503));
          onePage();
          expect((await kit.start().list(null)).flat()).to.have.length(1);
        });
      } else {
        scenario('500 then 200 succeeds', async () => {
          auth();
          vendor.listRequest({ since: null, pageIndex: 0 }).reply(500, errorBody(500));
          onePage();
          const run = kit.start();
          expect((await run.list(null)).flat()).to.have.length(1);
          expect(run.retries.map((r) => r.status)).to.deep.equal([500]);
        });
      }

      scenario('a vendor that stays down is pos_unavailable after the retries', async () => {
        auth();
        vendor.listRequest({ since: null, pageIndex: 0 }).times(3).reply(503, errorBody(503));
        const run = kit.start();
        const err = await kit.expectPosError(run.list(null), 'pos_unavailable');
        expect(err.retryable).to.equal(true);
        expect(run.retries.map((r) => r.attempt)).to.deep.equal([1, 2]);
      });

      scenario('a timeout is pos_unavailable after the retries', async () => {
        auth();
        vendor
          .listRequest({ since: null, pageIndex: 0 })
          .times(3)
          .delay(400)
          .reply(200, vendor.pageBody({ records: [], pageIndex: 0, total: 0 }));
        const run = kit.start({ timeoutMs: 100 });
        const err = await kit.expectPosError(run.list(null), 'pos_unavailable');
        expect(err.message).to.match(/timed out/);
        expect(run.retries).to.have.length(2);
      });

      scenario('a dropped connection is retried', async () => {
        auth();
        vendor
          .listRequest({ since: null, pageIndex: 0 })
          .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        onePage();
        expect((await kit.start().list(null)).flat()).to.have.length(1);
      });

      scenario('a malformed page is pos_bad_response, not retried', async () => {
        auth();
        vendor.listRequest({ since: null, pageIndex: 0 }).reply(200, vendor.malformedPageBody());
        const run = kit.start();
        await kit.expectPosError(run.list(null), 'pos_bad_response');
        expect(run.retries).to.deep.equal([]);
      });

      scenario('an HTML page in place of JSON is pos_bad_response', async () => {
        auth();
        vendor
          .listRequest({ since: null, pageIndex: 0 })
          .reply(200, '<html><body>Service Unavailable</body></html>', { 'Content-Type': 'text/html' });
        await kit.expectPosError(kit.start().list(null), 'pos_bad_response');
      });
    });

    if (vendor.quirks?.length) {
      describe('quirks', () => {
        for (const quirk of vendor.quirks!) scenario(quirk.name, () => quirk.run(kit));
      });
    }
  });
}
