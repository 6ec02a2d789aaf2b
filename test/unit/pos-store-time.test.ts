import { expect } from 'chai';
import { isoWithOffset, localDate } from '../../integrations/pos/store-time.js';

describe('POS store time', () => {
  const lateEvening = new Date('2024-01-01T05:30:00.123Z');

  it("gives the store's calendar date, which may be a day behind UTC", () => {
    expect(localDate(lateEvening, 'America/Los_Angeles')).to.equal('2023-12-31');
    expect(localDate(lateEvening, 'Asia/Kolkata')).to.equal('2024-01-01');
  });

  it("writes the store's wall clock with its offset, milliseconds kept (Treez)", () => {
    expect(isoWithOffset(lateEvening, 'America/Los_Angeles')).to.equal('2023-12-31T21:30:00.123-08:00');
    expect(isoWithOffset(lateEvening, 'UTC')).to.equal('2024-01-01T05:30:00.123+00:00');
    expect(isoWithOffset(lateEvening, 'America/St_Johns')).to.equal('2024-01-01T02:00:00.123-03:30');
  });

  it('follows daylight saving time', () => {
    expect(isoWithOffset(new Date('2024-07-01T12:00:00Z'), 'America/Denver')).to.equal('2024-07-01T06:00:00.000-06:00');
    expect(isoWithOffset(new Date('2024-01-01T12:00:00Z'), 'America/Denver')).to.equal('2024-01-01T05:00:00.000-07:00');
  });
});
