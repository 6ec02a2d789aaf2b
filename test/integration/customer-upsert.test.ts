import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { generateApiKey } from '../../db/api-keys/api-key-secret.js';
import { insertCustomer } from '../support/customer-fixtures.js';
import { bearer, createTenant, tokenFor, uniqueEmail } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('POST /stores/:storeId/customers/upsert', () => {
  const { app, owner } = testContext();

  async function tenant() {
    const t = await createTenant();
    const keys: Record<'staff' | 'manager', Record<string, string>> = { staff: {}, manager: {} };
    for (const role of ['staff', 'manager'] as const) {
      const key = generateApiKey();
      await owner('api_keys').insert({
        organization_id: t.org.id,
        store_id: t.storeA.id,
        name: `${role} service`,
        prefix: key.prefix,
        key_hash: key.hash,
        role,
      });
      keys[role] = bearer(key.key);
    }
    return {
      ...t,
      asService: keys.manager,
      asStaffKey: keys.staff,
      asStaff: bearer(await tokenFor(t.staff)),
      asManager: bearer(await tokenFor(t.manager)),
      url: `/api/v1/stores/${t.storeA.id}/customers/upsert`,
      customerUrl: (id: string) => `/api/v1/stores/${t.storeA.id}/customers/${id}`,
    };
  }

  const ref = () => ({ provider: 'treez', externalId: `TZ-${randomUUID().slice(0, 8)}` });
  const person = (overrides: Record<string, unknown> = {}) => ({
    firstName: 'Priya',
    lastName: 'Raman',
    email: uniqueEmail('priya'),
    phone: '415 555 0142',
    ...overrides,
  });
  const countRows = async (table: string, where: Record<string, unknown>) => (await owner(table).where(where)).length;

  it('creates a customer with its external ref (201), then answers 200 and changes nothing on a repeat', async () => {
    const t = await tenant();
    const body = {
      externalRef: ref(),
      ...person({ tags: ['pos'], addresses: [{ type: 'billing', line1: 'x', city: 'y' }] }),
    };
    const first = await request(app).post(t.url).set(t.asService).send(body);
    expect(first.status).to.equal(201);
    expect(first.body).to.include({ firstName: 'Priya', phone: '+14155550142', version: 1 });
    expect(first.body.externalRefs).to.deep.equal([body.externalRef]);
    expect(first.body.tags).to.deep.equal(['pos']);
    expect(first.body.consents.marketingEmail.source).to.equal(null);

    const again = await request(app).post(t.url).set(t.asService).send(body);
    expect(again.status).to.equal(200);
    expect(again.body).to.include({ id: first.body.id, version: 1 });
    expect(again.body.updatedAt).to.equal(first.body.updatedAt);
    expect(await countRows('customers', { store_id: t.storeA.id })).to.equal(1);
    expect((await owner('audit_log').where({ subject_id: first.body.id })).map((a) => a.action)).to.deep.equal([
      'customer.created',
    ]);
    expect(await countRows('outbox_events', { subject_id: first.body.id })).to.equal(1);
  });

  it('updates the customer its external ref points at, only the fields that differ', async () => {
    const t = await tenant();
    const externalRef = ref();
    const created = await request(app)
      .post(t.url)
      .set(t.asService)
      .send({ externalRef, ...person({ gender: 'female' }) });
    const res = await request(app)
      .post(t.url)
      .set(t.asService)
      .send({ externalRef, ...person({ firstName: 'Priyanka', email: 'Priyanka@Example.test', gender: 'female' }) });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({
      id: created.body.id,
      firstName: 'Priyanka',
      email: 'priyanka@example.test',
      version: 2,
    });
    const audit = await owner('audit_log').where({ subject_id: created.body.id, action: 'customer.updated' });
    expect(audit[0].changed_fields).to.deep.equal(['firstName', 'email']);
    const [event] = await owner('outbox_events').where({ subject_id: created.body.id, type: 'customer.updated' });
    expect(event.data).to.deep.equal({ changedFields: ['firstName', 'email'] });
  });

  it('without a known ref, matches by email before phone, then by licence, and attaches the new ref', async () => {
    const t = await tenant();
    const scope = { orgId: t.org.id, storeId: t.storeA.id };
    const byEmail = await insertCustomer({ ...scope, firstName: 'E', lastName: 'Mail', email: 'match@example.test' });
    const byPhone = await insertCustomer({ ...scope, firstName: 'P', lastName: 'Hone', phone: '415 555 0177' });
    const byLicence = await insertCustomer({
      ...scope,
      firstName: 'L',
      lastName: 'Icence',
      driversLicense: 'Q1234567',
    });

    const email = await request(app).post(t.url).set(t.asService).send({
      externalRef: ref(),
      firstName: 'E',
      lastName: 'Mail',
      email: 'MATCH@example.test',
      phone: '415-555-0177',
    });
    expect(email.status).to.equal(200);
    expect(email.body.id).to.equal(byEmail);
    expect(email.body.phone).to.equal('+14155550177');
    const audit = await owner('audit_log').where({ subject_id: byEmail, action: 'customer.updated' });
    expect(audit[0].changed_fields).to.deep.equal(['phone', 'externalRefs']);

    const phone = await request(app)
      .post(t.url)
      .set(t.asService)
      .send({ firstName: 'P', lastName: 'Hone', phone: '(415) 555-0177', email: 'new@example.test' });
    // The first customer now holds that phone too: the older record wins, and both have it.
    expect(phone.status).to.equal(200);
    expect([byEmail, byPhone]).to.include(phone.body.id);

    const licence = await request(app)
      .post(t.url)
      .set(t.asService)
      .send({ firstName: 'L', lastName: 'Icence', driversLicense: { number: 'q-123 4567' } });
    expect(licence.status).to.equal(200);
    expect(licence.body.id).to.equal(byLicence);
    expect(licence.body.version).to.equal(1);
  });

  it('follows a ref of a merged customer to the survivor and refuses one of a deleted customer', async () => {
    const t = await tenant();
    const scope = { orgId: t.org.id, storeId: t.storeA.id };
    const survivor = await insertCustomer({ ...scope, firstName: 'Sur', lastName: 'Vivor' });
    const [{ id: merged }] = await owner('customers')
      .insert({ organization_id: t.org.id, store_id: t.storeA.id, status: 'merged', merged_into_id: survivor })
      .returning('id');
    const deleted = await insertCustomer({ ...scope, firstName: 'Del', lastName: 'Eted', status: 'deleted' });
    const mergedRef = ref();
    const deletedRef = ref();
    await owner('customer_external_refs').insert([
      { organization_id: t.org.id, store_id: t.storeA.id, customer_id: merged, ...refRow(mergedRef) },
      { organization_id: t.org.id, store_id: t.storeA.id, customer_id: deleted, ...refRow(deletedRef) },
    ]);

    const res = await request(app)
      .post(t.url)
      .set(t.asService)
      .send({ externalRef: mergedRef, firstName: 'Sur', lastName: 'Vivor', gender: 'other' });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ id: survivor, gender: 'other' });

    const refused = await request(app)
      .post(t.url)
      .set(t.asService)
      .send({ externalRef: deletedRef, ...person() });
    expect(refused.status).to.equal(409);
    expect(refused.body.error.details[0]).to.include({ path: 'externalRef', customerId: deleted });
  });

  it('ignores deleted customers when matching by email: a new customer is created', async () => {
    const t = await tenant();
    await insertCustomer({
      orgId: t.org.id,
      storeId: t.storeA.id,
      firstName: 'Gone',
      lastName: 'Away',
      email: 'gone@example.test',
      status: 'deleted',
    });
    const res = await request(app)
      .post(t.url)
      .set(t.asManager)
      .send(person({ email: 'gone@example.test' }));
    expect(res.status).to.equal(201);
  });

  it('turns concurrent upserts of one new external ref into one create and updates', async () => {
    const t = await tenant();
    const externalRef = ref();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        request(app)
          .post(t.url)
          .set(t.asService)
          .send({
            externalRef,
            ...person({ email: `same-${externalRef.externalId}@example.test`, middleName: `M${i % 2}` }),
          }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).to.equal(1);
    expect(await countRows('customers', { store_id: t.storeA.id })).to.equal(1);
    expect(await countRows('customer_external_refs', { store_id: t.storeA.id })).to.equal(1);
  });

  it('when another writer attaches the same new ref first, retries and updates that customer', async () => {
    const t = await tenant();
    const externalRef = ref();
    const other = await owner.transaction();
    try {
      // A writer that takes no identifier lock (say, a POS sync) holds the ref, not yet committed.
      const [{ id: theirs }] = await other('customers')
        .insert({ organization_id: t.org.id, store_id: t.storeA.id, first_name: 'Their', last_name: 'Row' })
        .returning('id');
      await other('customer_external_refs').insert({
        organization_id: t.org.id,
        store_id: t.storeA.id,
        customer_id: theirs,
        ...refRow(externalRef),
      });
      const pending = request(app)
        .post(t.url)
        .set(t.asService)
        .send({ externalRef, ...person() });
      const response = pending.then((r) => r);
      // Wait until the upsert is blocked on that unique key, then let the other writer commit.
      for (let i = 0; i < 100; i += 1) {
        const [{ waiting }] = (await owner.raw(`select count(*)::int as waiting from pg_locks where not granted`)).rows;
        if (waiting > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.commit();
      const res = await response;
      expect(res.status).to.equal(200);
      expect(res.body.id).to.equal(theirs);
      expect(res.body.firstName).to.equal('Priya');
      expect(await countRows('customers', { store_id: t.storeA.id })).to.equal(1);
    } finally {
      if (!other.isCompleted()) await other.rollback();
    }
  });

  it('is for service keys and managers: staff users and staff keys get 403', async () => {
    const t = await tenant();
    expect((await request(app).post(t.url).set(t.asStaff).send(person())).status).to.equal(403);
    expect((await request(app).post(t.url).set(t.asStaffKey).send(person())).status).to.equal(403);
  });

  it('validates like a create, reading the phone in the store country', async () => {
    const t = await tenant();
    const res = await request(app)
      .post(t.url)
      .set(t.asService)
      .send({ externalRef: { provider: '' }, lastName: 'Only', phone: '030 901820', email: 'x' });
    expect(res.status).to.equal(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).to.deep.equal([
      'email',
      'externalRef.externalId',
      'externalRef.provider',
      'firstName',
      'phone',
    ]);
  });

  it('answers 404 for a store of another organisation', async () => {
    const t = await tenant();
    const other = await createTenant();
    const res = await request(app)
      .post(`/api/v1/stores/${other.storeA.id}/customers/upsert`)
      .set(t.asManager)
      .send(person());
    expect(res.status).to.equal(404);
  });
});

function refRow(r: { provider: string; externalId: string }) {
  return { provider: r.provider, external_id: r.externalId };
}
