import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { generateApiKey } from '../../db/api-keys/api-key-secret.js';
import { customerMetrics } from '../../db/customers/customer-metrics.js';
import { customerRoutes } from '../../server/customers/customer-routes.js';
import { mountRoutes } from '../../server/http/mount-routes.js';
import { errorHandler } from '../../server/middleware/error-handler.js';
import { requestContext } from '../../server/middleware/request-context.js';
import { insertCustomer } from '../support/customer-fixtures.js';
import { bearer, createStore, createTenant, createUser, tokenFor, uniqueEmail } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

type Detail = { path: string; message: string };
const paths = (res: request.Response) => res.body.error.details.map((d: Detail) => d.path).sort();
const counterValue = async (c: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
  (await c.get()).values.reduce((sum, v) => sum + v.value, 0);

describe('customers: create, read, update, delete', () => {
  const { app, owner, deps } = testContext();
  const customersOf = (storeId: string) => `/api/v1/stores/${storeId}/customers`;

  async function tenant() {
    const t = await createTenant();
    return {
      ...t,
      asStaff: bearer(await tokenFor(t.staff)),
      asManager: bearer(await tokenFor(t.manager)),
      asAdmin: bearer(await tokenFor(t.admin)),
      base: customersOf(t.storeA.id),
    };
  }

  const newCustomer = (overrides: Record<string, unknown> = {}) => ({
    firstName: 'Ana',
    lastName: 'Núñez',
    email: uniqueEmail('ana'),
    ...overrides,
  });

  async function create(t: Awaited<ReturnType<typeof tenant>>, body: Record<string, unknown>, query = '') {
    return request(app).post(`${t.base}${query}`).set(t.asStaff).send(body);
  }

  async function auditOf(customerId: string) {
    return owner('audit_log')
      .where({ subject_id: customerId })
      .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  }

  async function eventsOf(customerId: string) {
    return owner('outbox_events').where({ subject_id: customerId }).orderBy('seq');
  }

  describe('POST /stores/:storeId/customers', () => {
    it('creates a normalised customer with its addresses, tags, consents, audit row and outbox event', async () => {
      const t = await tenant();
      const res = await create(t, {
        firstName: '  Jose\u0301 ',
        middleName: 'María',
        lastName: 'Núñez',
        birthday: '1990-04-12',
        email: '  Jose.Nunez@Example.COM ',
        phone: '(415) 555-2671',
        gender: 'male',
        driversLicense: { number: 'd123-456 7', state: 'ca', expiresOn: '2030-01-31' },
        consents: { marketingEmail: true, marketingSms: false },
        addresses: [
          { type: 'shipping', line1: '1 Main St', city: 'Oakland', postalCode: '94601' },
          { type: 'billing', line1: '2 Side St', city: 'Oakland', country: 'us', isDefault: true },
          { type: 'shipping', line1: '3 Far Rd', city: 'Fresno' },
        ],
        tags: ['VIP', 'vip', ' Regular  Customer '],
        loyaltyPoints: 5000,
        status: 'erased',
      });
      expect(res.status).to.equal(201);
      const c = res.body;
      expect(c).to.include({
        storeId: t.storeA.id,
        firstName: 'José',
        middleName: 'María',
        lastName: 'Núñez',
        birthday: '1990-04-12',
        email: 'jose.nunez@example.com',
        phone: '+14155552671',
        gender: 'male',
        customerType: 'recreational',
        status: 'active',
        mergedIntoId: null,
        loyaltyPoints: 0,
        posSyncStatus: 'none',
        version: 1,
      });
      // The creator is staff: the licence number comes back masked.
      expect(c.driversLicense).to.deep.equal({ number: '•••• 4567', state: 'CA', expiresOn: '2030-01-31' });
      expect(c.tags).to.have.members(['VIP', 'Regular Customer']);
      expect(c.consents.marketingEmail).to.include({ granted: true, source: 'staff' });
      expect(c.consents.marketingSms).to.include({ granted: false, source: 'staff' });
      expect(c.consents.marketingEmail.at).to.be.a('string');
      expect(c.consents.dataProcessing).to.deep.equal({ granted: false, at: null, source: null });
      const shipping = c.addresses.filter((a: { type: string }) => a.type === 'shipping');
      expect(shipping.map((a: { line1: string; isDefault: boolean }) => [a.line1, a.isDefault])).to.have.deep.members([
        ['1 Main St', true],
        ['3 Far Rd', false],
      ]);
      expect(c.addresses.find((a: { type: string }) => a.type === 'billing')).to.include({
        country: 'US',
        isDefault: true,
      });

      const row = await owner('customers').where({ id: c.id }).first();
      expect(row.drivers_license_ciphertext).to.be.a('string').and.not.include('D1234567');
      expect(row).to.include({ drivers_license_last4: '4567', first_name_folded: 'jose', last_name_folded: 'nunez' });
      expect(row.drivers_license_bidx).to.match(/^[0-9a-f]{64}$/);

      const audit = await auditOf(c.id);
      expect(audit.map((a) => a.action)).to.deep.equal(['customer.created']);
      expect(audit[0]).to.include({ actor_type: 'user', actor_id: t.staff.id, store_id: t.storeA.id });
      expect(audit[0].changed_fields).to.include.members(['firstName', 'email', 'phone', 'driversLicense']);
      const events = await eventsOf(c.id);
      expect(events.map((e) => e.type)).to.deep.equal(['customer.created']);
      expect(events[0]).to.include({ organization_id: t.org.id, store_id: t.storeA.id, subject_type: 'customer' });
    });

    it('keeps personal data out of the audit and outbox rows', async () => {
      const t = await tenant();
      const email = uniqueEmail('private');
      const res = await create(t, {
        firstName: 'Zebedee',
        lastName: 'Quillfeather',
        email,
        phone: '415 555 2671',
        birthday: '1971-03-04',
        driversLicense: { number: 'X9988776' },
      });
      expect(res.status).to.equal(201);
      const patched = await request(app)
        .patch(`${t.base}/${res.body.id}`)
        .set(t.asStaff)
        .send({ lastName: 'Quillquill', phone: '415 555 2672' });
      expect(patched.status).to.equal(200);
      const rows = JSON.stringify([...(await auditOf(res.body.id)), ...(await eventsOf(res.body.id))]);
      for (const secret of [email, 'Zebedee', 'Quill', '4155552671', '4155552672', '1971-03-04', 'X9988776']) {
        expect(rows).to.not.include(secret);
      }
    });

    it('reports every invalid field at once, the phone for the store country among them', async () => {
      const t = await tenant();
      const res = await create(t, {
        firstName: '',
        lastName: 'x'.repeat(101),
        email: 'not-an-email',
        phone: '12',
        birthday: '2999-01-01',
        gender: 'robot',
        customerType: 'wholesale',
        consents: { marketingEmail: 'perhaps' },
      });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('validation_failed');
      expect(paths(res)).to.deep.equal([
        'birthday',
        'consents.marketingEmail',
        'customerType',
        'email',
        'firstName',
        'gender',
        'lastName',
        'phone',
      ]);
      const byPath = Object.fromEntries(res.body.error.details.map((d: Detail) => [d.path, d.message]));
      expect(byPath.birthday).to.equal('must be in the past');
      expect(byPath.phone).to.equal('is not a valid phone number for US');
      expect(await owner('customers').where({ store_id: t.storeA.id })).to.have.length(0);
    });

    it('refuses birthdays before 1900, impossible dates, and a second default address of one type', async () => {
      const t = await tenant();
      const res = await create(t, {
        firstName: 'Old',
        lastName: 'Timer',
        birthday: '1899-12-31',
        driversLicense: { number: 'AB12', expiresOn: '2023-02-30' },
        addresses: [
          { type: 'billing', line1: 'a', city: 'b', isDefault: true },
          { type: 'billing', line1: 'c', city: 'd', isDefault: true },
        ],
      });
      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['addresses', 'birthday', 'driversLicense.expiresOn']);
      const byPath = Object.fromEntries(res.body.error.details.map((d: Detail) => [d.path, d.message]));
      expect(byPath.birthday).to.equal('must be after 1900-01-01');
      expect(byPath.addresses).to.match(/one default address per type/);
    });

    it('reads a phone without country code in the store country (a German store reads 030 901820)', async () => {
      const t = await tenant();
      const berlin = await createStore(t.org.id, { country: 'DE', timezone: 'Europe/Berlin', currency: 'EUR' });
      const res = await request(app)
        .post(customersOf(berlin.id))
        .set(t.asAdmin)
        .send(newCustomer({ phone: '030 901820' }));
      expect(res.status).to.equal(201);
      expect(res.body.phone).to.equal('+4930901820');

      const inUs = await create(t, newCustomer({ phone: '030 901820' }));
      expect(inUs.status).to.equal(400);
      expect(inUs.body.error.details).to.deep.equal([{ path: 'phone', message: 'is not a valid phone number for US' }]);
    });

    it('requires a medical card for a medical customer', async () => {
      const t = await tenant();
      const res = await create(t, newCustomer({ customerType: 'medical' }));
      expect(res.status).to.equal(400);
      expect(res.body.error.details).to.deep.equal([
        { path: 'medicalCard', message: 'is required for a medical customer' },
      ]);
      const nullCard = await create(t, newCustomer({ customerType: 'medical', medicalCard: null }));
      expect(nullCard.status).to.equal(400);
      expect(nullCard.body.error.details).to.deep.equal([
        { path: 'medicalCard', message: 'is required for a medical customer' },
      ]);
      const ok = await create(
        t,
        newCustomer({ customerType: 'medical', medicalCard: { number: 'MC-0042', state: 'CA' } }),
      );
      expect(ok.status).to.equal(201);
      expect(ok.body.medicalCard).to.deep.equal({ number: '•••• 0042', state: 'CA', expiresOn: null });
    });

    for (const [field, first, second] of [
      ['email', { email: 'Same@Example.test' }, { email: 'same@example.TEST ' }],
      ['phone', { phone: '(415) 555-0100' }, { phone: '+1 415 555 0100' }],
      ['driversLicense', { driversLicense: { number: 'D123-4567' } }, { driversLicense: { number: 'd 1234567' } }],
    ] as const) {
      it(`answers 409 duplicate_customer with the candidate when the ${field} is already a customer's`, async () => {
        const t = await tenant();
        const existing = await create(t, { firstName: 'Maria', lastName: 'Lopez', ...first });
        expect(existing.status).to.equal(201);
        const warningsBefore = await counterValue(customerMetrics.duplicateWarnings);
        const res = await create(t, { firstName: 'Maria', lastName: 'Lopez', ...second });
        expect(res.status).to.equal(409);
        expect(res.body.error.code).to.equal('duplicate_customer');
        const [candidate] = res.body.error.details;
        expect(candidate).to.include({ customerId: existing.body.id, firstName: 'Maria', lastName: 'Lopez' });
        expect(candidate.score).to.be.within(0.6, 1);
        expect(candidate.matchedOn).to.deep.include({ field, method: 'exact' });
        expect(await counterValue(customerMetrics.duplicateWarnings)).to.equal(warningsBefore + 1);
        expect(await owner('customers').where({ store_id: t.storeA.id })).to.have.length(1);
      });
    }

    it('creates the duplicate anyway with allowDuplicate=true, and audits that it was allowed', async () => {
      const t = await tenant();
      const existing = await create(t, { firstName: 'Maria', lastName: 'Lopez', email: 'twin@example.test' });
      const res = await create(
        t,
        { firstName: 'Maria', lastName: 'Lopez', email: 'twin@example.test' },
        '?allowDuplicate=true',
      );
      expect(res.status).to.equal(201);
      expect(res.body.id).to.not.equal(existing.body.id);
      const audit = await auditOf(res.body.id);
      // One transaction: both rows carry the same time.
      expect(audit.map((a) => a.action)).to.have.members(['customer.created', 'customer.duplicate_allowed']);
      const allowed = audit.find((a) => a.action === 'customer.duplicate_allowed');
      expect(allowed.changed_fields).to.include.members(['email', 'name']);
    });

    it('counts created customers on /metrics', async () => {
      const t = await tenant();
      const before = await counterValue(customerMetrics.created);
      expect((await create(t, newCustomer())).status).to.equal(201);
      expect(await counterValue(customerMetrics.created)).to.equal(before + 1);
      const metrics = await request(app).get('/metrics');
      expect(metrics.text).to.match(/patron_customers_created_total \d+/);
    });

    it('answers 404 for a store of another organisation, or one the staff member was not given', async () => {
      const t = await tenant();
      const other = await tenant();
      expect((await request(app).post(other.base).set(t.asStaff).send(newCustomer())).status).to.equal(404);
      const storeB = await request(app).post(customersOf(t.storeB.id)).set(t.asStaff).send(newCustomer());
      expect(storeB.status).to.equal(404);
    });
  });

  describe('GET /stores/:storeId/customers/:id', () => {
    it('shows staff the licence and medical numbers masked and a manager in full', async () => {
      const t = await tenant();
      const id = await insertCustomer({
        orgId: t.org.id,
        storeId: t.storeA.id,
        firstName: 'Lee',
        lastName: 'Park',
        driversLicense: 'd555-12-3456',
        medicalCard: 'mc778899',
      });
      const staff = await request(app).get(`${t.base}/${id}`).set(t.asStaff);
      expect(staff.status).to.equal(200);
      expect(staff.body.driversLicense.number).to.equal('•••• 3456');
      expect(staff.body.medicalCard.number).to.equal('•••• 8899');
      const manager = await request(app).get(`${t.base}/${id}`).set(t.asManager);
      expect(manager.body.driversLicense.number).to.equal('D555123456');
      expect(manager.body.medicalCard.number).to.equal('MC778899');
      expect(manager.body).to.include({ id, firstName: 'Lee', lastName: 'Park', status: 'active', version: 1 });
      expect(manager.body).to.have.all.keys(
        'id storeId firstName middleName lastName birthday email phone gender customerType driversLicense medicalCard status mergedIntoId consents loyaltyPoints avatarUrl tags addresses externalRefs posSyncStatus version createdAt updatedAt'.split(
          ' ',
        ),
      );
    });

    it('masks for a staff API key too', async () => {
      const t = await tenant();
      const key = generateApiKey();
      await owner('api_keys').insert({
        organization_id: t.org.id,
        store_id: t.storeA.id,
        name: 'kiosk',
        prefix: key.prefix,
        key_hash: key.hash,
        role: 'staff',
      });
      const id = await insertCustomer({
        orgId: t.org.id,
        storeId: t.storeA.id,
        firstName: 'Kim',
        lastName: 'Lo',
        driversLicense: 'K0001234',
      });
      const res = await request(app).get(`${t.base}/${id}`).set(bearer(key.key));
      expect(res.status).to.equal(200);
      expect(res.body.driversLicense.number).to.equal('•••• 1234');
    });

    it('answers 404 for an id of another store, another organisation, an unknown or a malformed id', async () => {
      const t = await tenant();
      const other = await tenant();
      const inStoreB = await insertCustomer({ orgId: t.org.id, storeId: t.storeB.id, firstName: 'B', lastName: 'B' });
      const foreign = await insertCustomer({
        orgId: other.org.id,
        storeId: other.storeA.id,
        firstName: 'F',
        lastName: 'F',
      });
      for (const id of [inStoreB, foreign, randomUUID(), 'not-a-uuid']) {
        const res = await request(app).get(`${t.base}/${id}`).set(t.asAdmin);
        expect(res.status, id).to.equal(404);
        expect(res.body.error.code).to.equal('not_found');
      }
    });

    it('still answers for deleted, merged (pointing at the survivor) and erased customers', async () => {
      const t = await tenant();
      const survivor = await insertCustomer({ orgId: t.org.id, storeId: t.storeA.id, firstName: 'S', lastName: 'S' });
      const deleted = await insertCustomer({
        orgId: t.org.id,
        storeId: t.storeA.id,
        firstName: 'D',
        lastName: 'D',
        status: 'deleted',
      });
      const [{ id: merged }] = await owner('customers')
        .insert({
          organization_id: t.org.id,
          store_id: t.storeA.id,
          first_name: 'M',
          last_name: 'M',
          status: 'merged',
          merged_into_id: survivor,
        })
        .returning('id');
      const [{ id: erased }] = await owner('customers')
        .insert({ organization_id: t.org.id, store_id: t.storeA.id, status: 'erased', erased_at: new Date() })
        .returning('id');

      expect((await request(app).get(`${t.base}/${deleted}`).set(t.asStaff)).body.status).to.equal('deleted');
      const m = await request(app).get(`${t.base}/${merged}`).set(t.asStaff);
      expect(m.body).to.include({ status: 'merged', mergedIntoId: survivor });
      const e = await request(app).get(`${t.base}/${erased}`).set(t.asManager);
      expect(e.status).to.equal(200);
      expect(e.body).to.include({
        status: 'erased',
        firstName: null,
        middleName: null,
        lastName: null,
        birthday: null,
        email: null,
        phone: null,
        gender: null,
        driversLicense: null,
        medicalCard: null,
      });
    });
  });

  describe('PATCH /stores/:storeId/customers/:id', () => {
    async function withCustomer(overrides: Record<string, unknown> = {}) {
      const t = await tenant();
      const res = await create(
        t,
        newCustomer({ phone: '415 555 2671', driversLicense: { number: 'D7654321', state: 'CA' }, ...overrides }),
      );
      expect(res.status).to.equal(201);
      return { t, customer: res.body, url: `${t.base}/${res.body.id}` };
    }

    it('changes only the given fields, bumps the version and records the changed field names', async () => {
      const { t, customer, url } = await withCustomer();
      const res = await request(app)
        .patch(url)
        .set(t.asStaff)
        .send({ firstName: 'Anita', phone: '+1 (415) 555-0199', email: customer.email, gender: 'female' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        firstName: 'Anita',
        lastName: 'Núñez',
        phone: '+14155550199',
        gender: 'female',
        version: 2,
      });
      const audit = await auditOf(customer.id);
      expect(audit.map((a) => a.action)).to.deep.equal(['customer.created', 'customer.updated']);
      expect(audit[1].changed_fields).to.deep.equal(['firstName', 'phone', 'gender']);
      const events = await eventsOf(customer.id);
      expect(events.map((e) => e.type)).to.deep.equal(['customer.created', 'customer.updated']);
      expect(events[1].data).to.deep.equal({ changedFields: ['firstName', 'phone', 'gender'] });
    });

    it('clears optional fields with null and renews a licence expiry without resending the number', async () => {
      const { t, url } = await withCustomer({ middleName: 'Lu' });
      const res = await request(app)
        .patch(url)
        .set(t.asManager)
        .send({ email: null, middleName: null, phone: null, driversLicense: { expiresOn: '2031-05-01' } });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ email: null, middleName: null, phone: null });
      expect(res.body.driversLicense).to.deep.equal({ number: 'D7654321', state: 'CA', expiresOn: '2031-05-01' });
      const cleared = await request(app).patch(url).set(t.asManager).send({ driversLicense: null });
      expect(cleared.body.driversLicense).to.equal(null);
      const row = await owner('customers').where({ id: res.body.id }).first();
      expect(row).to.include({ drivers_license_ciphertext: null, drivers_license_bidx: null, email: null });
    });

    it('changes nothing when the values are the same: no version bump, no audit, no event', async () => {
      const { t, customer, url } = await withCustomer();
      const res = await request(app)
        .patch(url)
        .set(t.asStaff)
        .set('If-Match', '1')
        .send({ firstName: ' Ana ', phone: '(415) 555-2671', email: customer.email.toUpperCase(), unknownField: 1 });
      expect(res.status).to.equal(200);
      expect(res.body.version).to.equal(1);
      expect(res.body.updatedAt).to.equal(customer.updatedAt);
      expect(await auditOf(customer.id)).to.have.length(1);
      expect(await eventsOf(customer.id)).to.have.length(1);
    });

    it('stamps a consent only when the decision changes', async () => {
      const { t, customer, url } = await withCustomer({ consents: { marketingSms: true } });
      const same = await request(app)
        .patch(url)
        .set(t.asStaff)
        .send({ consents: { marketingSms: true } });
      expect(same.body.version).to.equal(1);
      expect(same.body.consents.marketingSms.at).to.equal(customer.consents.marketingSms.at);
      const withdrawn = await request(app)
        .patch(url)
        .set(t.asStaff)
        .send({ consents: { marketingSms: false } });
      expect(withdrawn.body.version).to.equal(2);
      expect(withdrawn.body.consents.marketingSms).to.include({ granted: false, source: 'staff' });
      const audit = await auditOf(customer.id);
      expect(audit[1].changed_fields).to.deep.equal(['consents.marketingSms']);
    });

    it('answers 409 when If-Match names an older version', async () => {
      const { t, url } = await withCustomer();
      expect(
        (await request(app).patch(url).set(t.asStaff).set('If-Match', '1').send({ gender: 'other' })).status,
      ).to.equal(200);
      const stale = await request(app).patch(url).set(t.asStaff).set('If-Match', '"1"').send({ gender: 'male' });
      expect(stale.status).to.equal(409);
      expect(stale.body.error.code).to.equal('conflict');
      expect(stale.body.error.details[0]).to.include({ path: 'If-Match', currentVersion: 2 });
      const bad = await request(app).patch(url).set(t.asStaff).set('If-Match', 'soon').send({ gender: 'male' });
      expect(bad.status).to.equal(400);
    });

    it('lets exactly one of two concurrent PATCHes with the same version win; the other gets 409', async () => {
      const { t, customer, url } = await withCustomer();
      const results = await Promise.all(
        ['Alpha', 'Beta', 'Gamma', 'Delta'].map((firstName) =>
          request(app).patch(url).set(t.asStaff).set('If-Match', '1').send({ firstName }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).to.deep.equal([200, 409, 409, 409]);
      const winner = results.find((r) => r.status === 200)!;
      const row = await owner('customers').where({ id: customer.id }).first();
      expect(row).to.include({ version: 2, first_name: winner.body.firstName });
      expect((await auditOf(customer.id)).filter((a) => a.action === 'customer.updated')).to.have.length(1);
    });

    it('reports every invalid field at once, the phone read in the store country', async () => {
      const { t, url } = await withCustomer();
      const res = await request(app)
        .patch(url)
        .set(t.asStaff)
        .send({ lastName: null, email: 'nope', phone: '030 901820', birthday: '1850-01-01' });
      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['birthday', 'email', 'lastName', 'phone']);
    });

    it('refuses to make a customer medical without a medical card', async () => {
      const { t, url } = await withCustomer();
      const res = await request(app).patch(url).set(t.asStaff).send({ customerType: 'medical' });
      expect(res.status).to.equal(400);
      expect(res.body.error.details).to.deep.equal([
        { path: 'medicalCard', message: 'is required for a medical customer' },
      ]);
      const ok = await request(app)
        .patch(url)
        .set(t.asStaff)
        .send({ customerType: 'medical', medicalCard: { number: 'MC1' } });
      expect(ok.status).to.equal(200);
      expect(ok.body.customerType).to.equal('medical');
    });

    it('answers 409 duplicate_customer when an edit makes the customer match another, unless allowed', async () => {
      const t = await tenant();
      const a = await create(t, {
        firstName: 'Sam',
        lastName: 'Reed',
        email: 'sam@example.test',
        phone: '415 555 0001',
      });
      const b = await create(t, { firstName: 'Sam', lastName: 'Reed', birthday: '1980-01-01' }, '?allowDuplicate=true');
      expect(b.status).to.equal(201);
      const url = `${t.base}/${b.body.id}`;
      // An edit that does not touch the fields they share keeps working.
      expect((await request(app).patch(url).set(t.asStaff).send({ gender: 'male' })).status).to.equal(200);
      for (const change of [{ email: 'SAM@example.test' }, { phone: '(415) 555-0001' }]) {
        const res = await request(app).patch(url).set(t.asStaff).send(change);
        expect(res.status).to.equal(409);
        expect(res.body.error.code).to.equal('duplicate_customer');
        expect(res.body.error.details.map((c: { customerId: string }) => c.customerId)).to.deep.equal([a.body.id]);
      }
      const allowed = await request(app)
        .patch(`${url}?allowDuplicate=true`)
        .set(t.asStaff)
        .send({ email: 'sam@example.test' });
      expect(allowed.status).to.equal(200);
      const audit = await auditOf(b.body.id);
      expect(audit.map((r) => r.action).slice(-2)).to.have.members(['customer.updated', 'customer.duplicate_allowed']);
    });

    it('does not flag the customer as a duplicate of itself', async () => {
      const { t, url } = await withCustomer();
      const res = await request(app)
        .patch(url)
        .set(t.asStaff)
        .send({ lastName: 'Nunez', driversLicense: { number: 'D7654321' } });
      expect(res.status).to.equal(200);
      expect(res.body.lastName).to.equal('Nunez');
    });

    it('refuses edits to deleted, merged and erased customers with 409', async () => {
      const t = await tenant();
      const survivor = await insertCustomer({ orgId: t.org.id, storeId: t.storeA.id, firstName: 'S', lastName: 'S' });
      const deleted = await insertCustomer({
        orgId: t.org.id,
        storeId: t.storeA.id,
        firstName: 'D',
        lastName: 'D',
        status: 'deleted',
      });
      const [{ id: merged }] = await owner('customers')
        .insert({ organization_id: t.org.id, store_id: t.storeA.id, status: 'merged', merged_into_id: survivor })
        .returning('id');
      const [{ id: erased }] = await owner('customers')
        .insert({ organization_id: t.org.id, store_id: t.storeA.id, status: 'erased' })
        .returning('id');
      for (const [id, status] of [
        [deleted, 'deleted'],
        [merged, 'merged'],
        [erased, 'erased'],
      ]) {
        const res = await request(app).patch(`${t.base}/${id}`).set(t.asManager).send({ firstName: 'New' });
        expect(res.status, status).to.equal(409);
        expect(res.body.error.code).to.equal('conflict');
        expect(res.body.error.details[0]).to.include({ path: 'status', status });
      }
      const m = await request(app).patch(`${t.base}/${merged}`).set(t.asManager).send({ firstName: 'New' });
      expect(m.body.error.details[0].mergedIntoId).to.equal(survivor);
    });

    it('answers 404 for a customer of another store or organisation', async () => {
      const t = await tenant();
      const other = await tenant();
      const inStoreB = await insertCustomer({ orgId: t.org.id, storeId: t.storeB.id, firstName: 'B', lastName: 'B' });
      const foreign = await insertCustomer({
        orgId: other.org.id,
        storeId: other.storeA.id,
        firstName: 'F',
        lastName: 'F',
      });
      for (const id of [inStoreB, foreign]) {
        expect((await request(app).patch(`${t.base}/${id}`).set(t.asAdmin).send({ firstName: 'X' })).status).to.equal(
          404,
        );
      }
      expect((await owner('customers').where({ id: foreign }).first()).first_name).to.equal('F');
    });

    it('limits PATCHes per caller: over the limit → 429 rate_limited with Retry-After', async () => {
      const limited = express();
      limited.use(requestContext);
      limited.use(express.json());
      const name = `customer-patch-test-${randomUUID()}`;
      mountRoutes(limited, customerRoutes(deps, { patchRateLimit: { limit: 2, windowSeconds: 60, name } }), deps);
      limited.use(errorHandler(deps.logger));

      const { t, customer, url } = await withCustomer();
      const colleague = bearer(
        await tokenFor(await createUser({ orgId: t.org.id, role: 'staff', storeIds: [t.storeA.id] })),
      );
      expect((await request(limited).patch(url).set(t.asStaff).send({ gender: 'male' })).status).to.equal(200);
      expect((await request(limited).patch(url).set(t.asStaff).send({ gender: 'female' })).status).to.equal(200);
      const third = await request(limited).patch(url).set(t.asStaff).send({ gender: 'other' });
      expect(third.status).to.equal(429);
      expect(third.body.error.code).to.equal('rate_limited');
      expect(Number(third.headers['retry-after'])).to.be.within(1, 60);
      expect((await owner('customers').where({ id: customer.id }).first()).gender).to.not.equal('other');
      // The limit is per caller: a colleague is not held back.
      expect((await request(limited).patch(url).set(colleague).send({ gender: 'other' })).status).to.equal(200);
    });
  });

  describe('DELETE /stores/:storeId/customers/:id', () => {
    it('is for managers: staff get 403', async () => {
      const t = await tenant();
      const id = await insertCustomer({ orgId: t.org.id, storeId: t.storeA.id, firstName: 'A', lastName: 'B' });
      const res = await request(app).delete(`${t.base}/${id}`).set(t.asStaff);
      expect(res.status).to.equal(403);
    });

    it('soft-deletes: 204, status deleted with deleted_at, audit and outbox; GET still answers; again is a no-op', async () => {
      const t = await tenant();
      const id = await insertCustomer({ orgId: t.org.id, storeId: t.storeA.id, firstName: 'A', lastName: 'B' });
      const res = await request(app).delete(`${t.base}/${id}`).set(t.asManager);
      expect(res.status).to.equal(204);
      const row = await owner('customers').where({ id }).first();
      expect(row.status).to.equal('deleted');
      expect(row.deleted_at).to.be.instanceOf(Date);
      expect(row.version).to.equal(2);
      expect((await auditOf(id)).map((a) => a.action)).to.deep.equal(['customer.deleted']);
      expect((await eventsOf(id)).map((e) => e.type)).to.deep.equal(['customer.deleted']);
      const got = await request(app).get(`${t.base}/${id}`).set(t.asStaff);
      expect(got.body.status).to.equal('deleted');
      expect((await request(app).delete(`${t.base}/${id}`).set(t.asManager)).status).to.equal(204);
      expect(await auditOf(id)).to.have.length(1);
    });

    it('honours If-Match and answers 404 for another store', async () => {
      const t = await tenant();
      const id = await insertCustomer({ orgId: t.org.id, storeId: t.storeA.id, firstName: 'A', lastName: 'B' });
      expect((await request(app).delete(`${t.base}/${id}`).set(t.asManager).set('If-Match', '7')).status).to.equal(409);
      const inStoreB = await insertCustomer({ orgId: t.org.id, storeId: t.storeB.id, firstName: 'B', lastName: 'B' });
      expect((await request(app).delete(`${t.base}/${inStoreB}`).set(t.asManager)).status).to.equal(404);
      expect((await owner('customers').where({ id: inStoreB }).first()).status).to.equal('active');
    });
  });
});
