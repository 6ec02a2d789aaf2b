import { expect } from 'chai';
import { collapseBatch, shareIdentifier } from '../../db/imports/import-batch-rules.js';
import { recordRanges } from '../../db/imports/import-repository.js';
import { STAGED_COLUMNS, type StagedRow } from '../../db/imports/import-staging.js';

const batchIdentifiers = (rows: StagedRow[]) => collapseBatch(rows).identifiers;
const row = (values: Partial<StagedRow>): StagedRow =>
  ({ ...Object.fromEntries(STAGED_COLUMNS.map((c) => [c, null])), ...values }) as StagedRow;

describe('import batches written side by side (pure)', () => {
  it('a batch answers for every identifier of its rows, and rows without one share a single key', () => {
    const keys = batchIdentifiers([
      row({ email: 'a@x.example', phone: '+15035550100' }),
      row({ external_provider: 'treez', external_id: 'T-1', drivers_license_bidx: 'dl1' }),
      row({ first_name: 'Zoë', last_name: 'Ng' }),
      row({ first_name: 'Zoe', last_name: 'Ng', birthday: '1990-01-02' }),
    ]);
    expect([...keys].sort()).to.deep.equal(['d:dl1', 'e:a@x.example', 'n:', 'p:+15035550100', 'x:treez:T-1']);
  });

  it('two batches conflict when any identifier is shared, whichever row carries it', () => {
    const first = batchIdentifiers([row({ email: 'a@x.example', phone: '+15035550100' })]);
    expect(shareIdentifier(first, batchIdentifiers([row({ phone: '+15035550100' })]))).to.equal(true);
    expect(shareIdentifier(first, batchIdentifiers([row({ email: 'b@x.example' })]))).to.equal(false);
    const named = batchIdentifiers([row({ first_name: 'Ana' })]);
    expect(shareIdentifier(named, batchIdentifiers([row({ first_name: 'Ben' })]))).to.equal(true);
    expect(shareIdentifier(named, first)).to.equal(false);
  });

  it('reads the records written from PostgreSQL’s multirange text', () => {
    expect(recordRanges('{}')).to.deep.equal([]);
    expect(recordRanges('{[1,1001),[2001,3001)}')).to.deep.equal([
      [1, 1001],
      [2001, 3001],
    ]);
    expect(recordRanges(null)).to.deep.equal([]);
  });
});
