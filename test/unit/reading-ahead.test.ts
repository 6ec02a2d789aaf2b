import { expect } from 'chai';
import { readingAhead } from '../../jobs/processors/reading-ahead.js';

/** A source of `pages` pages that logs each read's start and fails at `failAt` (1-based) if given. */
function source(pages: number, log: string[], failAt?: number) {
  return {
    closed: false,
    async *[Symbol.asyncIterator]() {
      try {
        for (let n = 1; n <= pages; n++) {
          log.push(`read ${n}`);
          await new Promise((resolve) => setTimeout(resolve, 2));
          if (n === failAt) throw new Error(`page ${n} failed`);
          yield n;
        }
      } finally {
        this.closed = true;
      }
    },
  };
}

describe('reading ahead (the sync fetches page n+1 while it writes page n)', () => {
  it('yields every page in order and starts the next read before the current page is handled', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const page of readingAhead(source(3, log))) {
      log.push(`write ${page}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(page);
    }
    expect(seen).to.deep.equal([1, 2, 3]);
    expect(log).to.deep.equal(['read 1', 'read 2', 'write 1', 'read 3', 'write 2', 'write 3']);
  });

  it('throws a failed read where its page would be, after every earlier page was handled', async () => {
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const page of readingAhead(source(5, [], 3))) seen.push(page);
    } catch (err) {
      error = err;
    }
    expect(seen).to.deep.equal([1, 2]);
    expect((error as Error).message).to.equal('page 3 failed');
  });

  it('a page that fails to be handled stops the reading, and the source is closed once its read settles', async () => {
    const log: string[] = [];
    const src = source(5, log);
    let error: unknown;
    try {
      for await (const page of readingAhead(src)) {
        if (page === 2) throw new Error('write failed');
      }
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.equal('write failed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(src.closed).to.equal(true);
    expect(log, 'no read past the one already under way').to.deep.equal(['read 1', 'read 2', 'read 3']);
  });
});
