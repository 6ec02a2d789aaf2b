import { expect } from 'chai';
import request from 'supertest';
import { customerMetrics } from '../../db/customers/customer-metrics.js';
import { apiKeyFor, auditOf, customerWorld, outboxOf } from '../support/customer-subresource-fixtures.js';
import { bearer } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('customer tags', () => {
  const { app, owner } = testContext();

  const tagsOf = async (customerId: string) =>
    (await owner('customer_tags').where({ customer_id: customerId }).orderBy('label')).map((t) => t.label);

  describe('POST /customers/:id/tags', () => {
    it('adds a trimmed label with 201, writes an audit row and a customer.tagged event without the label', async () => {
      const w = await customerWorld();
      const res = await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label: '  VIP Gold ' });
      expect(res.status).to.equal(201);
      expect(res.body).to.have.keys('id', 'label', 'createdAt');
      expect(res.body.label).to.equal('VIP Gold');
      expect(await tagsOf(w.customerId)).to.deep.equal(['VIP Gold']);

      const audit = await auditOf(w.customerId);
      expect(audit.map((a) => [a.action, a.changed_fields, a.actor_id])).to.deep.equal([
        ['customer.tag_added', ['tags'], w.manager.id],
      ]);
      const events = await outboxOf(w.customerId);
      expect(events.map((e) => e.type)).to.deep.equal(['customer.tagged']);
      expect(events[0].data).to.deep.equal({ tagId: res.body.id, changedFields: ['tags'] });
      expect(JSON.stringify(events[0].data)).to.not.include('VIP');
    });

    it('answers 200 with the stored tag when the label exists in another case, and changes nothing', async () => {
      const w = await customerWorld();
      const tagged = async () => (await customerMetrics.tagged.get()).values[0]?.value ?? 0;
      const before = await tagged();
      const first = await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label: 'Vip' });
      expect(await tagged()).to.equal(before + 1);
      const again = await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label: 'VIP' });
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      expect(await tagsOf(w.customerId)).to.deep.equal(['Vip']);
      expect(await tagged()).to.equal(before + 1);
      expect((await outboxOf(w.customerId)).length).to.equal(1);
      expect((await auditOf(w.customerId)).length).to.equal(1);
    });

    it('keeps several different labels', async () => {
      const w = await customerWorld();
      for (const label of ['b-list', 'Allergy: none', 'ÉTÉ'])
        expect((await request(app).post(w.url('/tags')).set(bearer(w.tokens.admin)).send({ label })).status).to.equal(
          201,
        );
      expect(await tagsOf(w.customerId)).to.have.members(['b-list', 'Allergy: none', 'ÉTÉ']);
    });

    it('touches the customer (updatedAt) so incremental readers see the change', async () => {
      const w = await customerWorld();
      const before = (await owner('customers').where({ id: w.customerId }).first()).updated_at;
      await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label: 'x' });
      const after = await owner('customers').where({ id: w.customerId }).first();
      expect(after.updated_at.getTime()).to.be.greaterThan(before.getTime());
      expect(after.version).to.equal(1);
    });

    it('rejects an empty, blank or too long label with every problem named', async () => {
      const w = await customerWorld();
      for (const label of ['', '   ', 'x'.repeat(51), 42]) {
        const res = await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label });
        expect(res.status, String(label)).to.equal(400);
        expect(res.body.error.code).to.equal('validation_failed');
        expect(res.body.error.details[0].path).to.equal('label');
      }
      const missing = await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({});
      expect(missing.status).to.equal(400);
      expect(await tagsOf(w.customerId)).to.deep.equal([]);
    });

    it('is for managers: staff and staff API keys get 403, a manager API key may tag', async () => {
      const w = await customerWorld();
      const staff = await request(app).post(w.url('/tags')).set(bearer(w.tokens.staff)).send({ label: 'x' });
      expect(staff.status).to.equal(403);
      const staffKey = await apiKeyFor(w.org.id, w.storeA.id, 'staff');
      expect((await request(app).post(w.url('/tags')).set(bearer(staffKey)).send({ label: 'x' })).status).to.equal(403);
      const managerKey = await apiKeyFor(w.org.id, w.storeA.id, 'manager');
      expect((await request(app).post(w.url('/tags')).set(bearer(managerKey)).send({ label: 'x' })).status).to.equal(
        201,
      );
    });

    it('answers 404 for a customer of another store, another organisation, or no customer at all', async () => {
      const w = await customerWorld();
      const attempts = [
        w.url('/tags', w.storeBCustomerId), // a store B customer addressed through store A
        w.url('/tags', w.foreignCustomerId),
        w.url('/tags', '7d1e4a38-3c0b-4f43-9a51-0c6f6a1f1e2d'),
        w.url('/tags', 'not-a-uuid'),
      ];
      for (const url of attempts) {
        const res = await request(app).post(url).set(bearer(w.tokens.admin)).send({ label: 'x' });
        expect(res.status, url).to.equal(404);
        expect(res.body.error.code).to.equal('not_found');
      }
      // The manager cannot reach store B at all.
      const storeB = await request(app)
        .post(w.url('/tags', w.storeBCustomerId, w.storeB.id))
        .set(bearer(w.tokens.manager))
        .send({ label: 'x' });
      expect(storeB.status).to.equal(404);
      expect(await owner('customer_tags').whereIn('customer_id', [w.storeBCustomerId, w.foreignCustomerId])).to.be
        .empty;
    });

    it('refuses to tag an erased or merged customer (409)', async () => {
      const w = await customerWorld();
      await owner('customers').where({ id: w.customerId }).update({ status: 'erased' });
      const res = await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label: 'x' });
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('conflict');

      const [survivor] = await owner('customers')
        .insert({ organization_id: w.org.id, store_id: w.storeA.id, first_name: 'S', last_name: 'S' })
        .returning('id');
      await owner('customers').where({ id: w.customerId }).update({ status: 'merged', merged_into_id: survivor.id });
      const merged = await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label: 'x' });
      expect(merged.status).to.equal(409);
      expect(merged.body.error.details[0].mergedIntoId).to.equal(survivor.id);
      expect(await tagsOf(w.customerId)).to.deep.equal([]);
    });
  });

  describe('DELETE /customers/:id/tags/:label', () => {
    it('removes a tag named in any case (204), with an audit row and a customer.updated event', async () => {
      const w = await customerWorld();
      await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label: 'VIP Gold' });
      await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label: 'keep' });
      const res = await request(app).delete(w.url('/tags/vip%20gOLD')).set(bearer(w.tokens.manager));
      expect(res.status).to.equal(204);
      expect(await tagsOf(w.customerId)).to.deep.equal(['keep']);
      const events = await outboxOf(w.customerId);
      expect(events.at(-1)).to.deep.include({ type: 'customer.updated' });
      expect(events.at(-1).data.changedFields).to.deep.equal(['tags']);
      expect((await auditOf(w.customerId)).at(-1).action).to.equal('customer.tag_removed');
    });

    it('answers 404 when the customer has no such tag, and for a tag of another customer', async () => {
      const w = await customerWorld();
      const absent = await request(app).delete(w.url('/tags/nope')).set(bearer(w.tokens.manager));
      expect(absent.status).to.equal(404);
      await owner('customer_tags').insert({
        organization_id: w.org.id,
        store_id: w.storeB.id,
        customer_id: w.storeBCustomerId,
        label: 'theirs',
      });
      const theirs = await request(app).delete(w.url('/tags/theirs')).set(bearer(w.tokens.admin));
      expect(theirs.status).to.equal(404);
      expect(await tagsOf(w.storeBCustomerId)).to.deep.equal(['theirs']);
    });

    it('is refused to staff (403)', async () => {
      const w = await customerWorld();
      await request(app).post(w.url('/tags')).set(bearer(w.tokens.manager)).send({ label: 'x' });
      const res = await request(app).delete(w.url('/tags/x')).set(bearer(w.tokens.staff));
      expect(res.status).to.equal(403);
      expect(await tagsOf(w.customerId)).to.deep.equal(['x']);
    });
  });
});
