import { expect } from 'chai';
import Joi from 'joi';
import { birthday, dateOnly } from '../../db/customers/customer-input-schema.js';

// Calendar dates as the API and the import check them: the shape, then the calendar (month lengths and
// leap years), then, for a birthday, after 1900-01-01 and before today.

const problem = (schema: Joi.Schema, value: unknown) => schema.validate(value).error?.details[0]?.message;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('calendar date rules', () => {
  it('takes real dates, leap days of leap years included', () => {
    for (const date of ['2024-02-29', '2000-02-29', '2023-12-31', '1999-01-01', '2023-04-30']) {
      expect(problem(dateOnly(), date), date).to.equal(undefined);
    }
  });

  it('refuses days a month does not have, with the calendar message', () => {
    for (const date of ['2023-02-29', '2100-02-29', '2023-04-31', '2023-13-01', '2023-00-10', '2023-01-00']) {
      expect(problem(dateOnly(), date), date).to.equal('must be a real calendar date');
    }
  });

  it('refuses other shapes with the format message', () => {
    for (const date of ['2023-2-1', '01/02/2023', '2023-02-01T00:00:00Z', ' 2023-02-01']) {
      expect(problem(dateOnly(), date), date).to.equal('must be a date YYYY-MM-DD');
    }
    expect(problem(dateOnly(), 20230201)).to.match(/must be a string/);
  });

  it('takes a birthday after 1900-01-01 and before today (UTC)', () => {
    expect(problem(birthday, '1900-01-02')).to.equal(undefined);
    expect(problem(birthday, isoDay(-1))).to.equal(undefined);
    expect(problem(birthday, '1900-01-01')).to.equal('must be after 1900-01-01');
    expect(problem(birthday, isoDay(0))).to.equal('must be in the past');
    expect(problem(birthday, isoDay(400))).to.equal('must be in the past');
    expect(problem(birthday, '1985-02-29')).to.equal('must be a real calendar date');
  });

  it('documents both as strings of format date', () => {
    const described = birthday.describe() as { type: string; metas?: Array<{ format?: string }> };
    expect(described.type).to.equal('string');
    expect(described.metas).to.deep.include({ format: 'date' });
  });
});
