import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { jobId } from '../../jobs/queues.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';
import { importRunner } from '../support/import-runner.js';

// The import end to end: upload through the API, the job's processor run directly (a fake Job) on the
// stored file, the result read back through the API and from the tables.

const FIXTURES = path.resolve('test/fixtures/imports');

describe('customer CSV import', () => {
  const { app, deps, owner } = testContext();
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let manager: Record<string, string>;
  let staff: Record<string, string>;
  const runner = importRunner(app, deps, () => ({
    storeId: tenant.storeA.id,
    orgId: tenant.org.id,
    headers: manager,
  }));
  const { queue, progress, importsPath, upload, importFile } = runner;

  const fixture = (name: string) => readFile(path.join(FIXTURES, name));
  const customers = () =>
    owner('customers')
      .where({ store_id: tenant.storeA.id })
      .orderBy(['first_name', 'id'])
      .select('id', 'first_name', 'last_name', 'email', 'phone', 'birthday', 'version', 'customer_type', 'consents');

  beforeEach(async () => {
    tenant = await createTenant();
    manager = bearer(await tokenFor(tenant.manager));
    staff = bearer(await tokenFor(tenant.staff));
    progress.length = 0;
  });

  after(async () => {
    await runner.close();
  });

  it('answers 202 with a queued import record and puts one job in Redis carrying ids only', async () => {
    const res = await upload('first_name,last_name,email\nAda,Lovelace,ada@example.com\n');
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body).to.deep.include({ status: 'queued', format: 'patron', progress: 0, error: null });
    expect(res.body.counts).to.deep.equal({ rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0 });
    expect(res.body.errorsUrl).to.equal(`${importsPath()}/${res.body.id}/errors`);
    const job = await queue.getJob(jobId('customer-import', res.body.id));
    expect(job?.data).to.deep.equal({ importId: res.body.id, storeId: tenant.storeA.id, orgId: tenant.org.id });
    await job?.remove();
  });

  it('imports our template: creates customers with normalised phones, tags, addresses, refs and consents', async () => {
    const result = await importFile(
      [
        'first_name,last_name,email,phone,birthday,tags,address_line1,city,postal_code,marketing_email_opt_in,external_id',
        'Ada,Lovelace,ADA@Example.com,(503) 555-0111,1985-12-10,vip|Newsletter,1 Main St,Portland,97201,yes,legacy-1',
        'Grace,Hopper,grace@example.com,503.555.0122,,,,,,no,legacy-2',
      ].join('\n'),
    );
    expect(result).to.deep.include({ status: 'finished', progress: 100, error: null });
    expect(result.counts).to.deep.equal({ rows: 2, created: 2, updated: 0, unchanged: 0, failed: 0 });
    const rows = await customers();
    expect(rows.map((r) => [r.first_name, r.email, r.phone, r.birthday])).to.deep.equal([
      ['Ada', 'ada@example.com', '+15035550111', '1985-12-10'],
      ['Grace', 'grace@example.com', '+15035550122', null],
    ]);
    expect(rows[0]!.consents.marketingEmail).to.deep.include({ granted: true, source: 'import' });
    const ada = await request(app).get(`/api/v1/stores/${tenant.storeA.id}/customers/${rows[0]!.id}`).set(manager);
    expect(ada.body.tags).to.have.members(['vip', 'Newsletter']);
    expect(ada.body.addresses[0]).to.deep.include({ line1: '1 Main St', city: 'Portland', isDefault: true });
    expect(ada.body.externalRefs).to.deep.equal([{ provider: 'import', externalId: 'legacy-1' }]);
    expect(progress.at(-1)).to.equal(100);
  });

  it('keeps every character of a cell as written: quotes, backslashes, braces, commas, NULL, accents', async () => {
    const result = await importFile(
      [
        'first_name,last_name,email,tags,address_line1,city',
        `"O'Brien ""Bo""",Back\\slash,bo@example.com,{curly}|NULL,"1 Main St, Apt {2}",Zoë`,
        `NULL,"Ångström, Jr.",ang@example.com,a\\"b,"\\N",São Paulo`,
      ].join('\n'),
    );
    expect(result.counts).to.deep.include({ created: 2, failed: 0 });
    const rows = await customers();
    expect(rows.map((r) => [r.first_name, r.last_name])).to.deep.equal([
      ['NULL', 'Ångström, Jr.'],
      [`O'Brien "Bo"`, 'Back\\slash'],
    ]);
    const bo = await request(app).get(`/api/v1/stores/${tenant.storeA.id}/customers/${rows[1]!.id}`).set(manager);
    expect(bo.body.tags).to.have.members(['{curly}', 'NULL']);
    expect(bo.body.addresses[0]).to.deep.include({ line1: '1 Main St, Apt {2}', city: 'Zoë' });
    const ang = await request(app).get(`/api/v1/stores/${tenant.storeA.id}/customers/${rows[0]!.id}`).set(manager);
    expect(ang.body.tags).to.deep.equal(['a\\"b']);
    expect(ang.body.addresses[0]).to.deep.include({ line1: '\\N', city: 'São Paulo' });
  });

  it('matches a row without identifiers to the customer with the same names and birthday and no identifiers', async () => {
    await importFile('first_name,last_name,email,birthday\nZoë,Ångström,,1980-02-03\nZoë,Ångström,zoe@example.com,\n');
    const again = await importFile(
      'first_name,last_name,birthday\nZoë,Ångström,1980-02-03\nZoë,Ångström,\nZoë,Ångström,1981-02-03\n',
    );
    // The first is the names-only customer; the second matches nobody (the other Zoë has an email); the third
    // has another birthday.
    expect(again.counts).to.deep.include({ created: 2, unchanged: 1, updated: 0 });
    expect(await customers()).to.have.length(4);
  });

  it('writes an audit row and a customer.created event per new customer, and customer_import.finished', async () => {
    const result = await importFile(
      'first_name,last_name,email\nAda,Lovelace,ada@example.com\nAlan,Turing,alan@example.com\n',
    );
    const ids = (await customers()).map((c) => c.id);
    const audit = await owner('audit_log').whereIn('subject_id', ids).select('action', 'changed_fields');
    expect(audit).to.have.length(2);
    expect(audit.every((a) => a.action === 'customer.created' && a.changed_fields.includes('email'))).to.equal(true);
    const events = await owner('outbox_events').where({ organization_id: tenant.org.id }).orderBy('seq');
    expect(events.filter((e) => e.type === 'customer.created').map((e) => e.subject_id)).to.have.members(ids);
    const finished = events.find((e) => e.type === 'customer_import.finished');
    expect(finished).to.deep.include({ subject_type: 'customer_import', subject_id: result.id });
    expect(finished.data.counts).to.deep.equal({ rows: 2, created: 2, updated: 0, unchanged: 0, failed: 0 });
    expect(JSON.stringify(events.map((e) => e.data))).not.to.match(/ada@example|Lovelace/);
  });

  it('re-importing the same file changes nothing', async () => {
    const file = await fixture('patron-template.csv');
    const first = await importFile(file);
    expect(first.counts.created).to.be.greaterThan(0);
    const before = await customers();
    const tagsBefore = await owner('customer_tags').where({ store_id: tenant.storeA.id }).count();
    const second = await importFile(file);
    expect(second.counts).to.deep.equal({
      rows: first.counts.rows,
      created: 0,
      updated: 0,
      unchanged: first.counts.rows - first.counts.failed,
      failed: first.counts.failed,
    });
    expect(await customers()).to.deep.equal(before);
    expect(await owner('customer_tags').where({ store_id: tenant.storeA.id }).count()).to.deep.equal(tagsBefore);
  });

  it('updates the customer a row matches by email, phone or licence instead of creating another', async () => {
    await importFile(
      'first_name,last_name,email,phone,drivers_license\nAda,Lovelace,ada@example.com,,\nAlan,Turing,,5035550133,\nKat,Johnson,,,D-998877\n',
    );
    const result = await importFile(
      [
        'first_name,last_name,email,phone,drivers_license,birthday',
        'Ada,King,ADA@example.com,,,', // same email: the last name changes
        'Alan,Turing,,+1 503 555 0133,,1912-06-23', // same phone in another format: birthday added
        'Katherine,Johnson,,,d998877,', // same licence, normalised
      ].join('\n'),
    );
    expect(result.counts).to.deep.equal({ rows: 3, created: 0, updated: 3, unchanged: 0, failed: 0 });
    const rows = (await customers()).sort((a, b) => a.first_name.localeCompare(b.first_name));
    expect(rows.map((r) => [r.first_name, r.last_name, r.birthday, r.version])).to.deep.equal([
      ['Ada', 'King', null, 2],
      ['Alan', 'Turing', '1912-06-23', 2],
      ['Katherine', 'Johnson', null, 2],
    ]);
    const updated = await owner('outbox_events')
      .where({ organization_id: tenant.org.id, type: 'customer.updated' })
      .select('subject_id', 'data');
    expect(updated.find((e) => e.subject_id === rows[0]!.id)?.data).to.deep.equal({ changedFields: ['lastName'] });
  });

  it('collapses duplicates inside the file into one customer', async () => {
    const result = await importFile(
      [
        'first_name,last_name,email,phone,tags',
        'Ada,Lovelace,ada@example.com,,vip',
        'Ada,Lovelace,ada@example.com,,vip', // the same again
        'Ada,Lovelace,,503-555-0111,', // no shared key yet: a person of its own until…
        'Ada,Lovelace,ada@example.com,503-555-0111,regular', // …this row ties email and phone together
      ].join('\n'),
    );
    expect(result.counts.rows).to.equal(4);
    expect(result.counts.failed).to.equal(0);
    const rows = await customers();
    expect(rows.filter((r) => r.email === 'ada@example.com')).to.have.length(1);
    expect(rows.filter((r) => r.email === 'ada@example.com')[0]!.phone).to.equal('+15035550111');
    expect(result.counts.created + result.counts.updated + result.counts.unchanged).to.equal(4);
    expect(result.counts.unchanged).to.be.at.least(1);
  });

  it('counts a person repeated within one batch as unchanged when the file is imported again', async () => {
    const file =
      'first_name,last_name,email,tags\nAda,Lovelace,ada@example.com,vip\nAda,Lovelace,ADA@example.com,vip|regular\n';
    const first = await importFile(file);
    expect(first.counts).to.deep.equal({ rows: 2, created: 1, updated: 1, unchanged: 0, failed: 0 });
    const again = await importFile(file);
    expect(again.counts).to.deep.equal({ rows: 2, created: 0, updated: 0, unchanged: 2, failed: 0 });
  });

  it('moves updated_at of a customer that only gained a tag, so updatedSince finds it', async () => {
    await importFile('first_name,last_name,email\nAda,Lovelace,ada@example.com\n');
    const [before] = await customers();
    const since = new Date().toISOString();
    const result = await importFile('first_name,last_name,email,tags\nAda,Lovelace,ada@example.com,vip\n');
    expect(result.counts).to.deep.include({ updated: 1 });
    const list = await request(app)
      .get(`/api/v1/stores/${tenant.storeA.id}/customers`)
      .query({ updatedSince: since })
      .set(manager);
    expect(list.status).to.equal(200);
    expect(list.body.data.map((c: { id: string }) => c.id)).to.deep.equal([before!.id]);
  });

  it('reports bad rows with their line numbers, the file column and no cell values; good rows still import', async () => {
    const result = await importFile(
      [
        'first_name,last_name,email,phone,birthday,marketing_email_opt_in',
        'Good,Row,good@example.com,,1980-01-31,yes',
        ',Nameless,nameless@example.com,,,',
        'Bad,Email,not-an-email,,,',
        '"Multi',
        'line",Name,multi@example.com,,,',
        'Bad,Phone,,12,,',
        'Bad,Date,,,2999-01-01,sometimes',
      ].join('\r\n'),
    );
    expect(result.counts).to.deep.include({ rows: 6, created: 2, failed: 4 });
    const errors = result.errors.map((e: { row: number; column: string }) => [e.row, e.column]);
    expect(errors).to.deep.include.members([
      [3, 'first_name'],
      [4, 'email'],
      [7, 'phone'],
      [8, 'marketing_email_opt_in'],
    ]);
    expect(JSON.stringify(result.errors)).not.to.match(/not-an-email|Nameless/);
    const csv = await request(app).get(result.errorsUrl).set(manager);
    expect(csv.status).to.equal(200);
    expect(csv.type).to.equal('text/csv');
    expect(csv.text.split('\n')[0]).to.equal('row,column,message,severity');
    expect(csv.text).to.match(/\n3,first_name,/);
  });

  it('neutralises cells of the errors CSV that a spreadsheet would run as a formula', async () => {
    const result = await importFile('first_name,last_name,=cmd|calc,birthday\n=1+1,Evil,,not-a-date\n');
    const csv = await request(app).get(result.errorsUrl).set(manager);
    expect(csv.status).to.equal(200);
    expect(csv.text).not.to.match(/(^|,)=/m);
  });

  it('refuses a file whose header matches no known format with 400 naming the expected columns', async () => {
    const res = await upload('name,mail\nAda,ada@example.com\n');
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('validation_failed');
    expect(res.body.error.details[0].expectedColumns).to.include.members(['first_name', 'last_name']);
  });

  it('refuses a file that is not CSV with 400', async () => {
    const res = await upload(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'x.csv');
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('validation_failed');
  });

  it('refuses a file over 50 MB with 413 naming both limits, and keeps nothing of it', async () => {
    const row = 'Ada,Lovelace,ada@example.com\n';
    const big = Buffer.from(
      'first_name,last_name,email\n' + row.repeat(Math.ceil((50 * 1024 * 1024) / row.length) + 10),
    );
    const res = await upload(big);
    expect(res.status).to.equal(413);
    expect(res.body.error.code).to.equal('payload_too_large');
    expect(res.body.error.details[0]).to.deep.include({ maxBytes: 50 * 1024 * 1024, maxRows: 1_000_000 });
    expect(await owner('customer_imports').where({ store_id: tenant.storeA.id })).to.have.length(0);
  });

  it('refuses a file of more than 1,000,000 rows with 413', async () => {
    const res = await upload('first_name,last_name\n' + 'A,B\n'.repeat(1_000_001));
    expect(res.status).to.equal(413);
    expect(res.body.error.details[0]).to.deep.include({ maxRows: 1_000_000 });
  });

  it('is for managers: staff get 403, another store 404', async () => {
    const asStaff = await request(app)
      .post(importsPath())
      .set(staff)
      .attach('file', Buffer.from('first_name,last_name\nA,B\n'), 'c.csv');
    expect(asStaff.status).to.equal(403);
    const other = await request(app)
      .post(`/api/v1/stores/${tenant.storeB.id}/customer-imports`)
      .set(manager)
      .attach('file', Buffer.from('first_name,last_name\nA,B\n'), 'c.csv');
    expect(other.status).to.equal(404);
  });
});
