import { expect } from 'chai';
import { syncProgress } from '../../jobs/processors/sync-progress.js';

describe('sync progress (the Bull Board bar of a running sync)', () => {
  it('is 0 before the first page and a number 0–99 after each page', () => {
    expect(syncProgress(0)).to.equal(0);
    for (let pages = 1; pages <= 10_000; pages *= 3) {
      const p = syncProgress(pages);
      expect(p).to.be.a('number').within(1, 99);
    }
  });

  it('only grows with the pages done and never reaches 100 before the run finishes', () => {
    let previous = 0;
    for (let pages = 1; pages <= 2000; pages++) {
      const p = syncProgress(pages);
      expect(p).to.be.at.least(previous);
      previous = p;
    }
    expect(previous).to.equal(99);
    expect(syncProgress(1)).to.equal(20);
    expect(syncProgress(4)).to.equal(50);
  });
});
