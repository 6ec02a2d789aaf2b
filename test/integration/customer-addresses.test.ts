import { expect } from 'chai';
import request from 'supertest';
import { apiKeyFor, auditOf, customerWorld, outboxOf } from '../support/customer-subresource-fixtures.js';
import { bearer } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

const home = {
  type: 'shipping',
  line1: '1 Main St',
  city: 'Springfield',
  region: 'IL',
  postalCode: '62701',
  country: 'us',
};

describe('customer addresses', () => {
  const { app, owner } = testContext();

  const defaultsOf = async (customerId: string) =>
    (await owner('customer_addresses').where({ customer_id: customerId, is_default: true }).orderBy('type')).map(
      (a) => [a.type, a.line1],
    );

  describe('POST /customers/:id/addresses', () => {
    it('adds an address (201) in the API shape, with an audit row and customer.updated [addresses]', async () => {
      const w = await customerWorld();
      const res = await request(app).post(w.url('/addresses')).set(bearer(w.tokens.staff)).send(home);
      expect(res.status).to.equal(201);
      expect(res.body).to.deep.include({
        type: 'shipping',
        line1: '1 Main St',
        line2: null,
        city: 'Springfield',
        region: 'IL',
        postalCode: '62701',
        country: 'US',
        isDefault: false,
        version: 1,
      });
      const events = await outboxOf(w.customerId);
      expect(events.map((e) => [e.type, e.data])).to.deep.equal([
        ['customer.updated', { addressId: res.body.id, changedFields: ['addresses'] }],
      ]);
      expect((await auditOf(w.customerId)).map((a) => [a.action, a.changed_fields])).to.deep.equal([
        ['customer.address_added', ['addresses']],
      ]);
      const profile = await owner('customer_addresses').where({ customer_id: w.customerId });
      expect(profile).to.have.length(1);
    });

    it('reports every invalid field at once', async () => {
      const w = await customerWorld();
      const res = await request(app)
        .post(w.url('/addresses'))
        .set(bearer(w.tokens.staff))
        .send({ type: 'home', line1: '', country: 'USA', isDefault: 'maybe' });
      expect(res.status).to.equal(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).to.have.members([
        'type',
        'line1',
        'city',
        'country',
        'isDefault',
      ]);
    });

    it('keeps one default per type: a new default takes over from the old one', async () => {
      const w = await customerWorld();
      const headers = bearer(w.tokens.staff);
      const first = await request(app)
        .post(w.url('/addresses'))
        .set(headers)
        .send({ ...home, isDefault: true });
      await request(app)
        .post(w.url('/addresses'))
        .set(headers)
        .send({ ...home, type: 'billing', line1: 'Billing 1', isDefault: true });
      expect(await defaultsOf(w.customerId)).to.deep.equal([
        ['billing', 'Billing 1'],
        ['shipping', '1 Main St'],
      ]);
      const second = await request(app)
        .post(w.url('/addresses'))
        .set(headers)
        .send({ ...home, line1: '2 New St', isDefault: true });
      expect(second.status).to.equal(201);
      expect(await defaultsOf(w.customerId)).to.deep.equal([
        ['billing', 'Billing 1'],
        ['shipping', '2 New St'],
      ]);
      const old = await owner('customer_addresses').where({ id: first.body.id }).first();
      expect(old).to.include({ is_default: false, version: 2 });
    });

    it('answers 404 for customers of another store or organisation, and 409 for an erased one', async () => {
      const w = await customerWorld();
      for (const id of [w.storeBCustomerId, w.foreignCustomerId]) {
        expect(
          (await request(app).post(w.url('/addresses', id)).set(bearer(w.tokens.admin)).send(home)).status,
        ).to.equal(404);
      }
      await owner('customers').where({ id: w.customerId }).update({ status: 'erased' });
      expect((await request(app).post(w.url('/addresses')).set(bearer(w.tokens.admin)).send(home)).status).to.equal(
        409,
      );
    });
  });

  describe('GET /customers/:id/addresses', () => {
    it('lists the addresses in the order they were added, paginated, to staff and staff keys', async () => {
      const w = await customerWorld();
      const ids: string[] = [];
      for (const line1 of ['a', 'b', 'c']) {
        ids.push(
          (
            await request(app)
              .post(w.url('/addresses'))
              .set(bearer(w.tokens.staff))
              .send({ ...home, line1 })
          ).body.id,
        );
      }
      const key = await apiKeyFor(w.org.id, w.storeA.id, 'staff');
      const page1 = await request(app).get(w.url('/addresses')).query({ limit: 2 }).set(bearer(key));
      expect(page1.status).to.equal(200);
      const page2 = await request(app)
        .get(w.url('/addresses'))
        .query({ limit: 2, cursor: page1.body.nextCursor })
        .set(bearer(key));
      expect([...page1.body.data, ...page2.body.data].map((a: { id: string }) => a.id)).to.deep.equal(ids);
      expect(page2.body.nextCursor).to.equal(null);
      expect((await request(app).get(w.url('/addresses', w.foreignCustomerId)).set(bearer(key))).status).to.equal(404);
    });
  });

  describe('PATCH /customers/:id/addresses/:addressId', () => {
    it('changes the given fields, bumps the version, and clears a field sent as null', async () => {
      const w = await customerWorld();
      const created = await request(app).post(w.url('/addresses')).set(bearer(w.tokens.staff)).send(home);
      const res = await request(app)
        .patch(w.url(`/addresses/${created.body.id}`))
        .set(bearer(w.tokens.staff))
        .set('If-Match', '1')
        .send({ city: 'Shelbyville', region: null, postalCode: '' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        city: 'Shelbyville',
        region: null,
        postalCode: null,
        line1: '1 Main St',
        version: 2,
      });
      expect((await auditOf(w.customerId)).at(-1).action).to.equal('customer.address_updated');
      expect((await outboxOf(w.customerId)).at(-1).data).to.deep.equal({
        addressId: created.body.id,
        changedFields: ['addresses'],
      });
    });

    it('answers 409 for a stale If-Match and changes nothing', async () => {
      const w = await customerWorld();
      const created = await request(app).post(w.url('/addresses')).set(bearer(w.tokens.staff)).send(home);
      await request(app)
        .patch(w.url(`/addresses/${created.body.id}`))
        .set(bearer(w.tokens.staff))
        .set('If-Match', '1')
        .send({ city: 'First' });
      const stale = await request(app)
        .patch(w.url(`/addresses/${created.body.id}`))
        .set(bearer(w.tokens.staff))
        .set('If-Match', '"1"')
        .send({ city: 'Second' });
      expect(stale.status).to.equal(409);
      expect(stale.body.error.code).to.equal('conflict');
      expect(stale.body.error.details[0]).to.include({ path: 'If-Match', currentVersion: 2 });
      expect((await owner('customer_addresses').where({ id: created.body.id }).first()).city).to.equal('First');
      const malformed = await request(app)
        .patch(w.url(`/addresses/${created.body.id}`))
        .set(bearer(w.tokens.staff))
        .set('If-Match', 'soon')
        .send({ city: 'Third' });
      expect(malformed.status).to.equal(400);
    });

    it('of two concurrent edits with the same version, exactly one wins', async () => {
      const w = await customerWorld();
      const created = await request(app).post(w.url('/addresses')).set(bearer(w.tokens.staff)).send(home);
      const edit = (city: string) =>
        request(app)
          .patch(w.url(`/addresses/${created.body.id}`))
          .set(bearer(w.tokens.staff))
          .set('If-Match', '1')
          .send({ city });
      const statuses = (await Promise.all([edit('A'), edit('B')])).map((r) => r.status).sort();
      expect(statuses).to.deep.equal([200, 409]);
    });

    it('making an address the default clears the old default of its type, also when its type changes', async () => {
      const w = await customerWorld();
      const headers = bearer(w.tokens.staff);
      await request(app)
        .post(w.url('/addresses'))
        .set(headers)
        .send({ ...home, type: 'billing', line1: 'Old billing', isDefault: true });
      const other = await request(app)
        .post(w.url('/addresses'))
        .set(headers)
        .send({ ...home, line1: 'Moves' });
      const res = await request(app)
        .patch(w.url(`/addresses/${other.body.id}`))
        .set(headers)
        .send({ type: 'billing', isDefault: true });
      expect(res.status).to.equal(200);
      expect(await defaultsOf(w.customerId)).to.deep.equal([['billing', 'Moves']]);
    });

    it('writes nothing for a change that changes nothing', async () => {
      const w = await customerWorld();
      const created = await request(app).post(w.url('/addresses')).set(bearer(w.tokens.staff)).send(home);
      const res = await request(app)
        .patch(w.url(`/addresses/${created.body.id}`))
        .set(bearer(w.tokens.staff))
        .send({ city: 'Springfield' });
      expect(res.status).to.equal(200);
      expect(res.body.version).to.equal(1);
      expect(await outboxOf(w.customerId)).to.have.length(1);
    });

    it('refuses an empty change (400), an address of another customer (404)', async () => {
      const w = await customerWorld();
      const created = await request(app).post(w.url('/addresses')).set(bearer(w.tokens.staff)).send(home);
      const empty = await request(app)
        .patch(w.url(`/addresses/${created.body.id}`))
        .set(bearer(w.tokens.staff))
        .send({});
      expect(empty.status).to.equal(400);
      const other = await request(app)
        .patch(w.url(`/addresses/${created.body.id}`, w.storeBCustomerId))
        .set(bearer(w.tokens.admin))
        .send({ city: 'x' });
      expect(other.status).to.equal(404);
    });
  });

  describe('DELETE /customers/:id/addresses/:addressId', () => {
    it('deletes (204), honours If-Match (409 when stale) and answers 404 once gone', async () => {
      const w = await customerWorld();
      const created = await request(app).post(w.url('/addresses')).set(bearer(w.tokens.staff)).send(home);
      const path = w.url(`/addresses/${created.body.id}`);
      expect((await request(app).delete(path).set(bearer(w.tokens.staff)).set('If-Match', '7')).status).to.equal(409);
      expect((await request(app).delete(path).set(bearer(w.tokens.staff)).set('If-Match', '1')).status).to.equal(204);
      expect(await owner('customer_addresses').where({ id: created.body.id })).to.be.empty;
      expect((await auditOf(w.customerId)).at(-1).action).to.equal('customer.address_removed');
      expect((await request(app).delete(path).set(bearer(w.tokens.staff))).status).to.equal(404);
    });
  });
});
