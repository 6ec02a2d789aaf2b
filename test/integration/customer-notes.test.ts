import { expect } from 'chai';
import request from 'supertest';
import { customerMetrics } from '../../db/customers/customer-metrics.js';
import { apiKeyFor, auditOf, customerWorld, outboxOf } from '../support/customer-subresource-fixtures.js';
import { bearer } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('customer notes', () => {
  const { app, owner } = testContext();

  describe('POST /customers/:id/notes', () => {
    it('adds a note with its author and time (201); the event and audit row never hold the text', async () => {
      const w = await customerWorld();
      const notesAdded = async () => (await customerMetrics.notesAdded.get()).values[0]?.value ?? 0;
      const before = await notesAdded();
      const res = await request(app)
        .post(w.url('/notes'))
        .set(bearer(w.tokens.manager))
        .send({ content: '  Prefers the side entrance.  ', authorId: 'forged' });
      expect(res.status).to.equal(201);
      expect(res.body).to.have.keys('id', 'content', 'authorId', 'createdAt');
      expect(res.body).to.include({ content: 'Prefers the side entrance.', authorId: w.manager.id });
      expect(await notesAdded()).to.equal(before + 1);
      const row = await owner('customer_notes').where({ id: res.body.id }).first();
      expect(row).to.include({ customer_id: w.customerId, store_id: w.storeA.id, author_id: w.manager.id });

      const events = await outboxOf(w.customerId);
      expect(events.map((e) => [e.type, e.data])).to.deep.equal([['customer.note_added', { noteId: res.body.id }]]);
      const audit = await auditOf(w.customerId);
      expect(audit.map((a) => [a.action, a.changed_fields])).to.deep.equal([['customer.note_added', ['notes']]]);
      expect(JSON.stringify([events, audit])).to.not.include('side entrance');
    });

    it('takes exactly 500 characters and refuses 501, blank or missing content', async () => {
      const w = await customerWorld();
      const ok = await request(app)
        .post(w.url('/notes'))
        .set(bearer(w.tokens.admin))
        .send({ content: 'é'.repeat(500) });
      expect(ok.status).to.equal(201);
      for (const body of [{ content: 'x'.repeat(501) }, { content: '   ' }, {}]) {
        const res = await request(app).post(w.url('/notes')).set(bearer(w.tokens.admin)).send(body);
        expect(res.status).to.equal(400);
        expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['content']);
      }
      expect(await owner('customer_notes').where({ customer_id: w.customerId })).to.have.length(1);
    });

    it('is for managers in person: staff and API keys (even manager ones) get 403', async () => {
      const w = await customerWorld();
      const managerKey = await apiKeyFor(w.org.id, w.storeA.id, 'manager');
      for (const token of [w.tokens.staff, managerKey]) {
        const res = await request(app).post(w.url('/notes')).set(bearer(token)).send({ content: 'x' });
        expect(res.status).to.equal(403);
      }
      expect(await owner('customer_notes').where({ customer_id: w.customerId })).to.be.empty;
    });

    it('answers 404 for customers of another store or organisation', async () => {
      const w = await customerWorld();
      for (const id of [w.storeBCustomerId, w.foreignCustomerId]) {
        const res = await request(app).post(w.url('/notes', id)).set(bearer(w.tokens.admin)).send({ content: 'x' });
        expect(res.status).to.equal(404);
      }
    });
  });

  describe('GET /customers/:id/notes', () => {
    it('lists notes newest first, page by page, without gaps or repeats', async () => {
      const w = await customerWorld();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await request(app)
          .post(w.url('/notes'))
          .set(bearer(w.tokens.manager))
          .send({ content: `note ${i}` });
        ids.push(res.body.id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await request(app)
          .get(w.url('/notes'))
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(bearer(w.tokens.manager));
        expect(res.status).to.equal(200);
        expect(res.body.data.length).to.be.at.most(2);
        seen.push(...res.body.data.map((n: { id: string }) => n.id));
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).to.deep.equal([...ids].reverse());
    });

    it('shows only this customer’s notes, and none to staff', async () => {
      const w = await customerWorld();
      await request(app).post(w.url('/notes')).set(bearer(w.tokens.manager)).send({ content: 'mine' });
      await owner('customer_notes').insert({
        organization_id: w.org.id,
        store_id: w.storeB.id,
        customer_id: w.storeBCustomerId,
        content: 'other',
      });
      const res = await request(app).get(w.url('/notes')).set(bearer(w.tokens.manager));
      expect(res.body.data.map((n: { content: string }) => n.content)).to.deep.equal(['mine']);
      expect(res.body.nextCursor).to.equal(null);
      expect((await request(app).get(w.url('/notes')).set(bearer(w.tokens.staff))).status).to.equal(403);
    });

    it('refuses a bad limit or a forged cursor (400) and a foreign customer (404)', async () => {
      const w = await customerWorld();
      const headers = bearer(w.tokens.manager);
      expect((await request(app).get(w.url('/notes')).query({ limit: 0 }).set(headers)).status).to.equal(400);
      expect((await request(app).get(w.url('/notes')).query({ limit: 101 }).set(headers)).status).to.equal(400);
      expect((await request(app).get(w.url('/notes')).query({ cursor: 'abc.def' }).set(headers)).status).to.equal(400);
      expect((await request(app).get(w.url('/notes', w.foreignCustomerId)).set(headers)).status).to.equal(404);
    });
  });
});
