import { expect } from 'chai';
import { escapeLike, parseBirthday, planSearch, prefixUpperBound } from '../../db/customers/search-query-rules.js';

describe('search query rules: what was typed into the search box', () => {
  const today = new Date('2026-06-01T12:00:00Z');
  const plan = (q: string, country = 'US') => planSearch(q, country, today);

  describe('emails', () => {
    it('anything with one @ and no spaces is an email, trimmed and lower-cased', () => {
      expect(plan('  Ana.Nunez@Example.COM ')).to.deep.equal({
        kind: 'email',
        probes: [{ kind: 'email', email: 'ana.nunez@example.com' }],
      });
    });

    it('an @ inside words with spaces is not an email', () => {
      expect(plan('ana @ home').kind).to.equal('name');
    });
  });

  describe('phones', () => {
    for (const typed of ['+1 (415) 555-2671', '415.555.2671', '4155552671', '(415) 555 2671', '415-555-2671']) {
      it(`"${typed}" is the E.164 phone +14155552671 in a US store`, () => {
        const p = plan(typed);
        expect(p.kind).to.equal('phone');
        expect(p.probes[0]).to.deep.equal({ kind: 'phone', phone: '+14155552671' });
      });
    }

    it('a brackets-or-plus number is only ever a phone', () => {
      expect(plan('+1 (415) 555-2671').probes).to.have.length(1);
    });

    it('a bare digit string that is a valid phone may also be an all-digit licence: both are tried', () => {
      const p = plan('4155552671');
      expect(p.probes.map((x) => x.kind)).to.deep.equal(['phone', 'licence']);
      expect(p.probes[1]).to.deep.equal({ kind: 'licence', number: '4155552671' });
    });

    it("reads a number without country code in the store's country", () => {
      expect(plan('030 901820', 'DE').probes[0]).to.deep.equal({ kind: 'phone', phone: '+4930901820' });
      expect(plan('020 7946 0958', 'GB').probes[0]).to.deep.equal({ kind: 'phone', phone: '+442079460958' });
    });

    it('exactly four digits are the last four of a phone', () => {
      expect(plan(' 2671 ')).to.deep.equal({ kind: 'phone_last4', probes: [{ kind: 'phone_last4', last4: '2671' }] });
    });

    it('eight digits that are no phone of the country are tried as a licence', () => {
      expect(plan('12345678')).to.deep.equal({ kind: 'licence', probes: [{ kind: 'licence', number: '12345678' }] });
    });
  });

  describe('identity numbers', () => {
    it('letters with digits are a licence or medical card number, normalised', () => {
      expect(plan('d123-456 7')).to.deep.equal({ kind: 'licence', probes: [{ kind: 'licence', number: 'D1234567' }] });
      expect(plan('MC 9988 7766').probes[0]).to.deep.equal({ kind: 'licence', number: 'MC99887766' });
    });

    it('too short to be an identity number, a string with a digit falls back to name search', () => {
      expect(plan('a1').kind).to.equal('name');
    });
  });

  describe('dates of birth', () => {
    it('ISO dates, with -, / or . separators', () => {
      for (const typed of ['1990-04-12', '1990/04/12', '1990.4.12']) {
        expect(plan(typed), typed).to.deep.equal({
          kind: 'birthday',
          probes: [{ kind: 'birthday', birthday: '1990-04-12' }],
        });
      }
    });

    it('04/12/1990 is month first in a US store and day first in a French one', () => {
      expect(parseBirthday('04/12/1990', 'US', today)).to.equal('1990-04-12');
      expect(parseBirthday('04-12-1990', 'US', today)).to.equal('1990-04-12');
      expect(parseBirthday('04/12/1990', 'FR', today)).to.equal('1990-12-04');
      expect(parseBirthday('04/12/1990', 'gb', today)).to.equal('1990-12-04');
    });

    it('dots are day first everywhere: 12.04.1990 is 12 April', () => {
      expect(parseBirthday('12.04.1990', 'US', today)).to.equal('1990-04-12');
      expect(parseBirthday('12.04.1990', 'DE', today)).to.equal('1990-04-12');
    });

    it("when the store's reading is impossible but the other is a real date, the real one wins", () => {
      expect(parseBirthday('13/04/1990', 'US', today)).to.equal('1990-04-13');
      expect(parseBirthday('04/13/1990', 'FR', today)).to.equal('1990-04-13');
    });

    it('refuses dates that do not exist, lie in the future or before 1900', () => {
      expect(parseBirthday('1990-02-30', 'US', today)).to.equal(undefined);
      expect(parseBirthday('2027-01-01', 'US', today)).to.equal(undefined);
      expect(parseBirthday('1899-12-31', 'US', today)).to.equal(undefined);
      expect(parseBirthday('04/12/90', 'US', today)).to.equal(undefined);
    });

    it('a date-like string that is no real date is searched as something else, not as a birthday', () => {
      expect(plan('1990-02-30').kind).to.not.equal('birthday');
    });
  });

  describe('names', () => {
    it('everything else is a name: NFC, trimmed, inner spaces collapsed, split into words', () => {
      expect(plan('  Núñez   Ana ')).to.deep.equal({
        kind: 'name',
        probes: [{ kind: 'name', text: 'Núñez Ana', tokens: ['Núñez', 'Ana'] }],
      });
    });

    it('"Last, First" loses its comma: the words are tried in both orders anyway', () => {
      expect(plan('Núñez, Ana').probes[0]).to.deep.equal({ kind: 'name', text: 'Núñez Ana', tokens: ['Núñez', 'Ana'] });
    });

    it('apostrophes and hyphens stay in names', () => {
      expect(plan("O'Brien").probes[0]).to.include({ kind: 'name', text: "O'Brien" });
      expect(plan('Jean-Pierre').probes[0]).to.include({ kind: 'name', text: 'Jean-Pierre' });
    });

    it('a decomposed accent (e + combining acute) is the same name as the composed one', () => {
      const decomposed = plan('Rene\u0301').probes[0];
      expect(decomposed).to.include({ text: 'René' });
    });
  });

  it('escapes LIKE wildcards so they match themselves', () => {
    expect(escapeLike('50%_off\\')).to.equal('50\\%\\_off\\\\');
  });

  describe('prefix ranges', () => {
    it('the upper bound of a prefix moves its last character one code point up', () => {
      expect(prefixUpperBound('mar')).to.equal('mas');
      expect(prefixUpperBound('o z')).to.equal('o {');
      expect(prefixUpperBound('ngu\u1ec5')).to.equal('ngu\u1ec6');
    });

    it('skips the surrogate range and has no bound past the last code point', () => {
      expect(prefixUpperBound('a\ud7ff')).to.equal('a\ue000');
      expect(prefixUpperBound('a\u{10ffff}')).to.equal(undefined);
      expect(prefixUpperBound('')).to.equal(undefined);
    });

    it('every string that starts with the prefix sorts inside [prefix, bound) by code point', () => {
      const bound = prefixUpperBound('gar')!;
      const byCodePoint = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
      for (const name of ['gar', 'garcia', 'garz\u00f3n', 'gar\u{1f600}']) {
        expect(byCodePoint(name, 'gar')).to.be.at.least(0);
        expect(byCodePoint(name, bound)).to.equal(-1);
      }
      expect(byCodePoint('gas', bound)).to.be.at.least(0);
    });
  });
});
