import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { customerRow } from '../support/customer-fixtures.js';
import { generatePopulation, pairKey } from '../support/duplicate-population.js';
import { testContext } from '../support/test-context.js';

const SEED = 20261121;
const PEOPLE = 6000;
const TRUE_DUPLICATES = 300;

function countBy(items: string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}: ${n}`).join('; ') || 'none';
}

describe('duplicate pair quality on a seeded population', function () {
  this.timeout(120_000);
  const { app, owner } = testContext();

  it('suggests pairs with precision ≥ 0.95 and recall ≥ 0.90', async () => {
    const { org, storeA, manager } = await createTenant();
    const population = generatePopulation(SEED, PEOPLE, TRUE_DUPLICATES);
    const keyOf = new Map<string, number>();
    const rows = population.people.map((p) => {
      const id = randomUUID();
      keyOf.set(id, p.key);
      const { key: _key, ...seed } = p;
      return { id, ...customerRow({ ...seed, orgId: org.id, storeId: storeA.id }) };
    });
    for (let i = 0; i < rows.length; i += 1000) await owner('customers').insert(rows.slice(i, i + 1000));

    const token = await tokenFor(manager);
    const listed: Array<{ key: string; score: number; matchedOn: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    const started = performance.now();
    do {
      const res: request.Response = await request(app)
        .get(`/api/v1/stores/${storeA.id}/customers/duplicates`)
        .query({ limit: 100, ...(cursor ? { cursor } : {}) })
        .set(bearer(token));
      expect(res.status).to.equal(200);
      for (const pair of res.body.data) {
        const [a, b] = pair.customers.map((c: { id: string }) => keyOf.get(c.id)!);
        listed.push({
          key: pairKey(a, b),
          score: pair.score,
          matchedOn: pair.matchedOn.map((m: { field: string; method: string }) => `${m.field}/${m.method}`).join('+'),
        });
      }
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    const perPage = (performance.now() - started) / pages;

    const truePositives = listed.filter((p) => population.truth.has(p.key));
    const precision = truePositives.length / listed.length;
    const recall = truePositives.length / population.truth.size;
    const listedKeys = new Set(listed.map((p) => p.key));
    const missed = [...population.truth].filter((k) => !listedKeys.has(k));
    const falsePositives = listed.filter((p) => !population.truth.has(p.key));
    console.log(
      `      ${population.people.length} customers, ${population.truth.size} true pairs; listed ${listed.length} pairs ` +
        `in ${pages} pages (${perPage.toFixed(0)} ms/page)\n` +
        `      precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}\n` +
        `      missed by variant: ${countBy(missed.map((k) => population.variants.get(k)!))}\n` +
        `      false positives by relation: ${countBy(falsePositives.map((p) => `${population.lookalikes.get(p.key) ?? 'strangers'} (${p.matchedOn})`))}`,
    );
    expect(new Set(listed.map((p) => p.key)).size, 'no pair repeated across pages').to.equal(listed.length);
    for (let i = 1; i < listed.length; i++) expect(listed[i]!.score).to.be.at.most(listed[i - 1]!.score);
    expect(precision).to.be.at.least(0.95);
    expect(recall).to.be.at.least(0.9);
  });
});
