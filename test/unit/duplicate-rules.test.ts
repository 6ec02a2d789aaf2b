import { expect } from 'chai';
import {
  MIN_DUPLICATE_SCORE,
  compareBirthdays,
  compareNames,
  editDistance,
  isLikelyDuplicate,
  partSimilarity,
  scorePair,
  type PairFeatures,
} from '../../db/customers/duplicate-rules.js';

const pair = (overrides: Partial<PairFeatures> = {}): PairFeatures => ({
  driversLicense: false,
  medicalCard: false,
  email: false,
  phone: false,
  birthdays: [null, null],
  a: { first: 'maria', last: 'garcia' },
  b: { first: 'maria', last: 'garcia' },
  trigram: null,
  ...overrides,
});
const names = (first: string, last: string) => ({ first, last });

describe('duplicate rules', () => {
  describe('name similarity', () => {
    it('counts substitutions, insertions, deletions and adjacent swaps as one edit each', () => {
      expect(editDistance('smith', 'smith')).to.equal(0);
      expect(editDistance('smith', 'smyth')).to.equal(1);
      expect(editDistance('jon', 'john')).to.equal(1);
      expect(editDistance('kevin', 'ekvin')).to.equal(1);
      expect(editDistance('ross', 'reos')).to.equal(2);
      expect(editDistance('', 'abc')).to.equal(3);
    });

    it('rates a part by edits relative to the longer name, ignoring spaces and hyphens', () => {
      expect(partSimilarity('mary-jane', 'mary jane')).to.equal(1);
      expect(partSimilarity('jon', 'john')).to.equal(0.75);
      expect(partSimilarity('john', 'jane')).to.equal(0.25);
      expect(partSimilarity(null, 'x')).to.equal(0);
    });

    it('finds swapped first and last names and says so', () => {
      const swapped = compareNames(pair({ b: names('garcia', 'maria') }))!;
      expect(swapped.similarity).to.equal(1);
      expect(swapped.swapped).to.equal(true);
      expect(compareNames(pair())!.swapped).to.equal(false);
    });

    it('recognises another given name in the same family, in either order', () => {
      expect(compareNames(pair({ b: names('lucia', 'garcia') }))!.otherGivenName).to.equal(true);
      expect(compareNames(pair({ b: names('garcia', 'lucia') }))!.otherGivenName).to.equal(true);
      expect(compareNames(pair({ b: names('mria', 'garcia') }))!.otherGivenName).to.equal(false);
      expect(compareNames(pair({ b: names('maria', 'gracis') }))!.otherGivenName, 'a typo in the family name').to.equal(
        false,
      );
    });

    it('has nothing to compare when a side has no name', () => {
      expect(compareNames(pair({ b: { first: null, last: null } }))).to.equal(null);
    });
  });

  describe('birthdays', () => {
    it('tells the same day, a likely slip of the keyboard and another day apart', () => {
      expect(compareBirthdays('1990-04-12', '1990-04-12')).to.equal('same');
      expect(compareBirthdays('1990-04-12', '1990-12-04'), 'day and month swapped').to.equal('near');
      expect(compareBirthdays('1990-04-12', '1990-04-13'), 'one digit').to.equal('near');
      expect(compareBirthdays('1990-04-12', '1909-04-12'), 'two digits swapped').to.equal('near');
      expect(compareBirthdays('1990-04-12', '1962-11-30')).to.equal('different');
      expect(compareBirthdays(null, '1990-04-12')).to.equal('unknown');
    });
  });

  describe('scorePair', () => {
    it('is near certain on an equal licence or medical card number, with exact evidence', () => {
      const score = scorePair(pair({ driversLicense: true, b: names('m', 'g') }));
      expect(score.score).to.be.at.least(0.7);
      expect(score.matchedOn).to.deep.equal([{ field: 'driversLicense', method: 'exact' }]);
      expect(scorePair(pair({ medicalCard: true })).score).to.be.above(0.99);
    });

    it('takes the same birthday and a similar name for a duplicate, evidence name fuzzy and birthday exact', () => {
      const score = scorePair(pair({ birthdays: ['1990-04-12', '1990-04-12'], b: names('mraia', 'garcia') }));
      expect(isLikelyDuplicate(score)).to.equal(true);
      expect(score.matchedOn).to.deep.equal([
        { field: 'name', method: 'fuzzy' },
        { field: 'birthday', method: 'exact' },
      ]);
    });

    it('ranks more agreement higher', () => {
      const birthdayAndName = scorePair(pair({ birthdays: ['1990-04-12', '1990-04-12'] })).score;
      const plusPhone = scorePair(pair({ birthdays: ['1990-04-12', '1990-04-12'], phone: true })).score;
      const typoName = scorePair(pair({ birthdays: ['1990-04-12', '1990-04-12'], b: names('mraia', 'garcia') })).score;
      expect(plusPhone).to.be.above(birthdayAndName);
      expect(birthdayAndName).to.be.above(typoName);
    });

    it('does not take a household sharing a phone and an email for one person', () => {
      const sibling = pair({
        phone: true,
        email: true,
        b: names('lucia', 'garcia'),
        birthdays: ['1990-04-12', '1994-08-30'],
      });
      expect(isLikelyDuplicate(scorePair(sibling))).to.equal(false);
      const twins = pair({ phone: true, b: names('lucia', 'garcia'), birthdays: ['1990-04-12', '1990-04-12'] });
      expect(isLikelyDuplicate(scorePair(twins))).to.equal(false);
    });

    it('does not take a parent and child with one name and one phone for one person', () => {
      const junior = pair({ phone: true, birthdays: ['1960-03-01', '1988-07-19'] });
      expect(scorePair(junior).score).to.be.below(MIN_DUPLICATE_SCORE);
    });

    it('forgives a birthday typo when an identifier and the name agree', () => {
      const typo = pair({ email: true, birthdays: ['1990-04-12', '1990-12-04'] });
      expect(isLikelyDuplicate(scorePair(typo))).to.equal(true);
    });

    it('offers no stranger born the same day', () => {
      const stranger = pair({ birthdays: ['1990-04-12', '1990-04-12'], b: names('kevin', 'wong') });
      expect(isLikelyDuplicate(scorePair(stranger))).to.equal(false);
    });

    it('scores within 0..1 with three decimals', () => {
      for (const f of [pair(), pair({ driversLicense: true, medicalCard: true, email: true, phone: true })]) {
        const { score } = scorePair(f);
        expect(score).to.be.within(0, 1);
        expect(Math.round(score * 1000) / 1000).to.equal(score);
      }
    });
  });
});
