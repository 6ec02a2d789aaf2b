import { expect } from 'chai';
import pg from 'pg';
import { inlineParameters, inlineValue, quoteLiteral } from '../../db/tenant.js';

describe('tenantQuery inlining (pure)', () => {
  it('quotes strings as escaped literals, doubling quotes and marking backslashes', () => {
    expect(inlineValue('plain')).to.equal(`'plain'`);
    expect(inlineValue(`o'brien`)).to.equal(`'o''brien'`);
    expect(inlineValue(`a\\'; drop table customers; --`)).to.equal(` E'a\\\\''; drop table customers; --'`);
  });

  it("quotes exactly as pg's escapeLiteral does", () => {
    const samples = ['', "'", "''", '\\', "\\'", "a'b\\c'd\\\\", 'Chloé Müller', '{"a":"it\'s"}', "x\n'y"];
    for (const text of samples) expect(quoteLiteral(text), JSON.stringify(text)).to.equal(pg.escapeLiteral(text));
  });

  it('writes numbers in parentheses, booleans and null as keywords, dates as ISO literals', () => {
    expect(inlineValue(26)).to.equal('(26)');
    expect(inlineValue(-1)).to.equal('(-1)');
    expect(inlineValue(0.8333)).to.equal('(0.8333)');
    expect(inlineValue(true)).to.equal('true');
    expect(inlineValue(false)).to.equal('false');
    expect(inlineValue(null)).to.equal('NULL');
    expect(inlineValue(new Date('2026-01-02T03:04:05.678Z'))).to.equal(`'2026-01-02T03:04:05.678Z'`);
  });

  it('writes arrays as one escaped array literal', () => {
    expect(inlineValue(['active', 'inactive'])).to.equal(`'{"active","inactive"}'`);
    expect(inlineValue([])).to.equal(`'{}'`);
    expect(inlineValue(['a"b', 'c,d}', null])).to.equal(` E'{"a\\\\"b","c,d}",NULL}'`);
  });

  it('refuses what it cannot inline safely', () => {
    expect(() => inlineValue(undefined)).to.throw(/unsupported type/);
    expect(() => inlineValue({ toString: () => `' or true --` })).to.throw(/unsupported type/);
    expect(() => inlineValue(Buffer.from('x'))).to.throw(/unsupported type/);
    expect(() => inlineValue(Number.NaN)).to.throw(/finite/);
    expect(() => inlineValue(Number.POSITIVE_INFINITY)).to.throw(/finite/);
    expect(() => inlineValue(10n)).to.throw(/unsupported type/);
    expect(() => inlineValue('a\0b')).to.throw(/NUL/);
    expect(() => inlineValue(['ok', 'a\0b'])).to.throw(/NUL/);
    expect(() => inlineValue(new Date('nope'))).to.throw(/invalid date/);
    expect(() => inlineValue([{}])).to.throw(/unsupported type/);
  });

  it('replaces each placeholder once: inlined text is never read as a placeholder again', () => {
    expect(inlineParameters('select $1, $2, $10', ['$2', 'x', 1, 2, 3, 4, 5, 6, 7, 8])).to.equal(
      `select '$2', 'x', (8)`,
    );
    expect(() => inlineParameters('select $2', ['only one'])).to.throw(/no parameter \$2/);
    expect(() => inlineParameters('select $0', ['x'])).to.throw(/no parameter \$0/);
  });
});
