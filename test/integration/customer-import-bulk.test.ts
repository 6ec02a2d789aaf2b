import { expect } from 'chai';
import request from 'supertest';
import { bulkImportFile } from '../support/bulk-import-file.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';
import { importRunner } from '../support/import-runner.js';

// A 20,000-row file end to end (upload, the job's processor, the record and the tables), then the same
// file again: the second import changes nothing and writes no audit row or event.

describe('customer CSV import: a 20,000-row file', function () {
  this.timeout(60_000);
  const { app, deps, owner } = testContext();
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let manager: Record<string, string>;

  const runner = importRunner(app, deps, () => ({
    storeId: tenant.storeA.id,
    orgId: tenant.org.id,
    headers: manager,
  }));

  async function importFile(csv: string) {
    const done = await runner.importFile(csv, 'bulk.csv');
    expect(done.status, JSON.stringify(done.error)).to.equal('finished');
    return done;
  }

  const storeCustomers = () => owner('customers').where({ store_id: tenant.storeA.id });
  const count = async (query: PromiseLike<Array<Record<string, unknown>>>) => Number((await query)[0]!.count);
  const sum = (c: { created: number; updated: number; unchanged: number; failed: number }) =>
    c.created + c.updated + c.unchanged + c.failed;

  /** Every row error of an import, from its errors CSV: [line, column, severity]. */
  async function errorsCsv(url: string): Promise<string[][]> {
    const csv = await request(app).get(url).set(manager);
    expect(csv.status).to.equal(200);
    return csv.text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const cells = line.split(',');
        return [cells[0]!, cells[1]!, cells.at(-1)!];
      });
  }

  beforeEach(async () => {
    tenant = await createTenant();
    manager = bearer(await tokenFor(tenant.manager));
  });

  after(async () => {
    await runner.close();
  });

  it('imports every row once, counts add up, bad rows are reported at their lines; importing it again changes nothing', async () => {
    const file = bulkImportFile(20_000);
    expect(file.counts).to.deep.equal({ rows: 20_000, created: 19_796, updated: 92, unchanged: 100, failed: 12 });

    const first = await importFile(file.csv);
    expect(first.counts).to.deep.equal(file.counts);
    expect(sum(first.counts)).to.equal(first.counts.rows);
    expect(first.progress).to.equal(100);

    expect(await count(storeCustomers().count())).to.equal(file.emails.length);
    const duplicated = await storeCustomers().groupBy('email').havingRaw('count(*) > 1').select('email');
    expect(duplicated).to.deep.equal([]);
    const emails = await storeCustomers().pluck('email');
    expect(new Set(emails)).to.deep.equal(new Set(file.emails));
    // Every phone of the file arrived in E.164, whichever way the row wrote it.
    expect(await count(storeCustomers().whereRaw(`phone !~ '^\\+1503[0-9]{7}$'`).count())).to.equal(0);
    // A repeat with one more tag, 1,501 rows (and a batch) later, added it to the person's customer.
    const tags = await owner('customer_tags')
      .join('customers', 'customers.id', 'customer_tags.customer_id')
      .where({ 'customers.email': 'person1649@bulk.example' })
      .pluck('label');
    expect(tags).to.have.members(['bulk', 'returning']);

    expect(first.errors.map((e: { row: number; column: string }) => ({ row: e.row, column: e.column }))).to.deep.equal(
      file.errors,
    );
    expect(await errorsCsv(first.errorsUrl)).to.deep.equal(file.errors.map((e) => [String(e.row), e.column, 'error']));

    const customersBefore = await storeCustomers().orderBy('id').select('id', 'version', 'updated_at');
    const auditBefore = await count(
      owner('audit_log').where({ store_id: tenant.storeA.id, subject_type: 'customer' }).count(),
    );
    const eventsBefore = await count(
      owner('outbox_events').where({ store_id: tenant.storeA.id }).where('type', 'like', 'customer.%').count(),
    );
    expect(auditBefore).to.equal(file.counts.created + file.counts.updated);

    const second = await importFile(file.csv);
    expect(second.counts).to.deep.equal({
      rows: 20_000,
      created: 0,
      updated: 0,
      unchanged: 20_000 - file.counts.failed,
      failed: file.counts.failed,
    });
    expect(await storeCustomers().orderBy('id').select('id', 'version', 'updated_at')).to.deep.equal(customersBefore);
    expect(
      await count(owner('audit_log').where({ store_id: tenant.storeA.id, subject_type: 'customer' }).count()),
    ).to.equal(auditBefore);
    expect(
      await count(
        owner('outbox_events').where({ store_id: tenant.storeA.id }).where('type', 'like', 'customer.%').count(),
      ),
    ).to.equal(eventsBefore);
    expect(await errorsCsv(second.errorsUrl)).to.deep.equal(file.errors.map((e) => [String(e.row), e.column, 'error']));
  });
});
