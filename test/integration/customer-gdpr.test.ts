import { expect } from 'chai';
import request from 'supertest';
import { config } from '../../config/env.js';
import { customerMetrics } from '../../db/customers/customer-metrics.js';
import { blindIndex } from '../../db/crypto/field-encryption.js';
import { createLocalFileStorage } from '../../integrations/storage/local-file-storage.js';
import { apiKeyFor, auditOf, customerWorld, outboxOf } from '../support/customer-subresource-fixtures.js';
import { bearer } from '../support/fixtures.js';
import { PDF, PNG } from '../support/sample-files.js';
import { testContext } from '../support/test-context.js';

const PERSON = {
  firstName: 'Zoë',
  lastName: 'Quixley-Marsh',
  email: 'zoe.quixley@example.test',
  phone: '(415) 555-0142',
  birthday: '1988-07-14',
  driversLicense: 'Q7788-1234',
  medicalCard: 'MC-99-4321',
};

describe('customer history, export and erasure', () => {
  const { app, owner } = testContext();
  const storage = createLocalFileStorage(config.storage.dir);

  /** A customer with something in every place personal data can be. */
  async function fullCustomer() {
    const w = await customerWorld(PERSON);
    const admin = bearer(w.tokens.admin);
    await owner('customers')
      .where({ id: w.customerId })
      .update({
        gender: 'female',
        consents: JSON.stringify({ marketingEmail: { granted: true, at: '2026-01-01T00:00:00.000Z', source: 'pos' } }),
        drivers_license_state: 'CA',
        drivers_license_expires_on: '2030-01-01',
      });
    await owner('customer_external_refs').insert({
      organization_id: w.org.id,
      store_id: w.storeA.id,
      customer_id: w.customerId,
      provider: 'treez',
      external_id: 'pos-123',
    });
    await request(app).post(w.url('/tags')).set(admin).send({ label: 'VIP' });
    await request(app).post(w.url('/notes')).set(admin).send({ content: 'Lives by the old mill.' });
    await request(app)
      .post(w.url('/addresses'))
      .set(admin)
      .send({ type: 'shipping', line1: '12 Mill Lane', city: 'Oakton', country: 'US', isDefault: true });
    await request(app).put(w.url('/avatar')).set(admin).attach('file', PNG, 'me.png');
    const doc = await request(app)
      .post(w.url('/documents'))
      .set(admin)
      .field('type', 'passport')
      .field('number', 'PX-5550001')
      .attach('file', PDF, 'passport.pdf');
    expect(doc.status).to.equal(201);
    const fileKeys = [
      (await owner('customers').where({ id: w.customerId }).first()).avatar_key,
      (await owner('customer_documents').where({ customer_id: w.customerId }).first()).file_key,
    ];
    return { ...w, fileKeys };
  }

  describe('GET /customers/:id/history', () => {
    it('shows the audit trail newest first — who changed which fields, when — paginated', async () => {
      const w = await customerWorld();
      const manager = bearer(w.tokens.manager);
      await request(app).post(w.url('/tags')).set(manager).send({ label: 'a' });
      await request(app).post(w.url('/notes')).set(manager).send({ content: 'n' });
      await request(app)
        .post(w.url('/addresses'))
        .set(bearer(w.tokens.staff))
        .send({ type: 'billing', line1: 'x', city: 'y', country: 'US' });

      const page1 = await request(app).get(w.url('/history')).query({ limit: 2 }).set(manager);
      expect(page1.status).to.equal(200);
      expect(page1.body.data[0]).to.have.keys('id', 'action', 'actorType', 'actorId', 'changedFields', 'createdAt');
      const page2 = await request(app)
        .get(w.url('/history'))
        .query({ limit: 2, cursor: page1.body.nextCursor })
        .set(manager);
      const trail = [...page1.body.data, ...page2.body.data].map((e) => [e.action, e.actorId, e.changedFields]);
      expect(trail).to.deep.equal([
        ['customer.address_added', w.staff.id, ['addresses']],
        ['customer.note_added', w.manager.id, ['notes']],
        ['customer.tag_added', w.manager.id, ['tags']],
      ]);
      expect(page2.body.nextCursor).to.equal(null);
    });

    it('is for managers in person (403 to staff and API keys) and 404 for a foreign customer', async () => {
      const w = await customerWorld();
      expect((await request(app).get(w.url('/history')).set(bearer(w.tokens.staff))).status).to.equal(403);
      const key = await apiKeyFor(w.org.id, w.storeA.id, 'manager');
      expect((await request(app).get(w.url('/history')).set(bearer(key))).status).to.equal(403);
      for (const id of [w.storeBCustomerId, w.foreignCustomerId])
        expect((await request(app).get(w.url('/history', id)).set(bearer(w.tokens.admin))).status).to.equal(404);
    });
  });

  describe('GET /customers/:id/export', () => {
    it('answers everything held on the person as a JSON attachment, and audits the export', async () => {
      const w = await fullCustomer();
      const res = await request(app).get(w.url('/export')).set(bearer(w.tokens.manager));
      expect(res.status).to.equal(200);
      expect(res.headers['content-disposition']).to.equal(`attachment; filename="customer-${w.customerId}.json"`);
      expect(res.headers['cache-control']).to.equal('no-store');
      const body = res.body;
      expect(body).to.have.keys('exportedAt', 'customer', 'avatar', 'notes', 'documents', 'history');
      expect(body.customer).to.deep.include({
        firstName: 'Zoë',
        lastName: 'Quixley-Marsh',
        email: 'zoe.quixley@example.test',
        phone: '+14155550142',
        birthday: '1988-07-14',
        gender: 'female',
        tags: ['VIP'],
        externalRefs: [{ provider: 'treez', externalId: 'pos-123' }],
      });
      expect(body.customer.driversLicense).to.deep.equal({ number: 'Q77881234', state: 'CA', expiresOn: '2030-01-01' });
      expect(body.customer.medicalCard.number).to.equal('MC994321');
      expect(body.customer.consents.marketingEmail).to.deep.equal({
        granted: true,
        at: '2026-01-01T00:00:00.000Z',
        source: 'pos',
      });
      expect(body.customer.addresses.map((a: { line1: string }) => a.line1)).to.deep.equal(['12 Mill Lane']);
      expect(body.avatar).to.deep.equal({ contentType: 'image/png', url: body.customer.avatarUrl });
      expect(body.notes.map((n: { content: string }) => n.content)).to.deep.equal(['Lives by the old mill.']);
      expect(body.documents).to.have.length(1);
      expect(body.documents[0]).to.deep.include({
        type: 'passport',
        number: 'PX5550001',
        file: { contentType: 'application/pdf', size: PDF.length },
      });
      expect(body.history.map((e: { action: string }) => e.action)).to.include.members([
        'customer.tag_added',
        'customer.note_added',
        'customer.exported',
      ]);
      const audit = await auditOf(w.customerId);
      expect(audit.at(-1)).to.include({ action: 'customer.exported', actor_id: w.manager.id });
    });

    it('is for managers in person (403 to staff and API keys) and 404 for a foreign customer', async () => {
      const w = await customerWorld();
      expect((await request(app).get(w.url('/export')).set(bearer(w.tokens.staff))).status).to.equal(403);
      const key = await apiKeyFor(w.org.id, w.storeA.id, 'manager');
      expect((await request(app).get(w.url('/export')).set(bearer(key))).status).to.equal(403);
      for (const id of [w.storeBCustomerId, w.foreignCustomerId])
        expect((await request(app).get(w.url('/export', id)).set(bearer(w.tokens.admin))).status).to.equal(404);
      expect((await auditOf(w.customerId)).map((a) => a.action)).to.not.include('customer.exported');
    });
  });

  describe('POST /customers/:id/erase', () => {
    it('leaves nothing findable by name, phone, email, licence, medical card or document number', async () => {
      const w = await fullCustomer();
      const res = await request(app).post(w.url('/erase')).set(bearer(w.tokens.admin));
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        id: w.customerId,
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
        avatarUrl: null,
      });
      expect(res.body.tags).to.deep.equal([]);
      expect(res.body.addresses).to.deep.equal([]);

      const inStore = () => owner('customers').where({ store_id: w.storeA.id });
      expect(await inStore().clone().whereRaw('first_name_folded = ?', ['zoe'])).to.be.empty;
      expect(await inStore().clone().whereRaw('last_name_folded = ?', ['quixley-marsh'])).to.be.empty;
      expect(await inStore().clone().where({ email: PERSON.email })).to.be.empty;
      expect(await inStore().clone().where({ phone: '+14155550142' })).to.be.empty;
      expect(await inStore().clone().where({ phone_last4: '0142' })).to.be.empty;
      expect(await inStore().clone().where({ birthday: PERSON.birthday })).to.be.empty;
      expect(
        await inStore()
          .clone()
          .where({ drivers_license_bidx: blindIndex('drivers_license', 'Q77881234') }),
      ).to.be.empty;
      expect(
        await inStore()
          .clone()
          .where({ medical_card_bidx: blindIndex('medical_card', 'MC994321') }),
      ).to.be.empty;
      const documentBidx = blindIndex('document', 'PX5550001');
      expect(await owner('customer_documents').where({ store_id: w.storeA.id, number_bidx: documentBidx })).to.be.empty;

      const row = await owner('customers').where({ id: w.customerId }).first();
      for (const column of Object.keys(row).filter((c) => /ciphertext|last4|_state|expires_on|avatar/.test(c)))
        expect(row[column], column).to.equal(null);
      expect(row.consents).to.deep.equal({});
      expect(row.erased_at).to.be.instanceOf(Date);
      for (const table of ['customer_tags', 'customer_notes', 'customer_addresses', 'customer_documents'])
        expect(await owner(table).where({ customer_id: w.customerId }), table).to.be.empty;
      // POS ids stay: they hold no personal data and keep a later sync from importing the person again.
      expect(await owner('customer_external_refs').where({ customer_id: w.customerId })).to.have.length(1);

      for (const key of w.fileKeys) expect(await storage.get(key), key).to.equal(undefined);

      const erasedEvents = (await outboxOf(w.customerId)).filter((e) => e.type === 'customer.erased');
      expect(erasedEvents.map((e) => e.data)).to.deep.equal([{}]);
      const audit = (await auditOf(w.customerId)).filter((a) => a.action === 'customer.erased');
      expect(audit).to.have.length(1);
      expect(audit[0].actor_id).to.equal(w.admin.id);
      expect(audit[0].changed_fields).to.include.members(['firstName', 'email', 'phone', 'driversLicense', 'notes']);

      const profile = await request(app).get(w.url()).set(bearer(w.tokens.manager));
      expect(profile.status).to.equal(200);
      expect(profile.body).to.include({ status: 'erased', firstName: null, lastName: null, email: null, phone: null });
    });

    it('is idempotent: erasing again answers 200 with the shell and emits nothing new', async () => {
      const w = await customerWorld(PERSON);
      const erasedCount = async () => (await customerMetrics.erased.get()).values[0]?.value ?? 0;
      const before = await erasedCount();
      expect((await request(app).post(w.url('/erase')).set(bearer(w.tokens.admin))).status).to.equal(200);
      expect(await erasedCount()).to.equal(before + 1);
      const eventsBefore = (await outboxOf(w.customerId)).length;
      const auditBefore = (await auditOf(w.customerId)).length;
      const again = await request(app).post(w.url('/erase')).set(bearer(w.tokens.admin));
      expect(again.status).to.equal(200);
      expect(again.body).to.include({ status: 'erased', firstName: null });
      expect(await outboxOf(w.customerId)).to.have.length(eventsBefore);
      expect(await auditOf(w.customerId)).to.have.length(auditBefore);
      expect(await erasedCount()).to.equal(before + 1);
    });

    it('also erases the older records merged into the customer', async () => {
      const w = await customerWorld(PERSON);
      const [source] = await owner('customers')
        .insert({
          organization_id: w.org.id,
          store_id: w.storeA.id,
          first_name: 'Zoe',
          last_name: 'Quixley',
          email: 'zq@old.example.test',
          status: 'merged',
          merged_into_id: w.customerId,
        })
        .returning('id');
      const res = await request(app).post(w.url('/erase')).set(bearer(w.tokens.admin));
      expect(res.status).to.equal(200);
      const old = await owner('customers').where({ id: source.id }).first();
      expect(old).to.include({ status: 'erased', first_name: null, email: null, merged_into_id: null });
      const events = await outboxOf(source.id);
      expect(events.map((e) => [e.type, e.data])).to.deep.equal([['customer.erased', { mergedIntoId: w.customerId }]]);
    });

    it('drops stored idempotent answers that showed the person', async () => {
      const w = await customerWorld(PERSON);
      const note = await request(app)
        .post(w.url('/notes'))
        .set(bearer(w.tokens.manager))
        .set('Idempotency-Key', `note-${w.customerId}`)
        .send({ content: 'Secret detail' });
      expect(note.status).to.equal(201);
      const stored = () => owner('idempotency_keys').where({ organization_id: w.org.id, key: `note-${w.customerId}` });
      expect(await stored()).to.have.length(1);
      await request(app).post(w.url('/erase')).set(bearer(w.tokens.admin));
      expect(await stored()).to.be.empty;
    });

    it('is for admins only: managers, staff and API keys get 403; foreign customers 404', async () => {
      const w = await customerWorld(PERSON);
      for (const token of [w.tokens.manager, w.tokens.staff, await apiKeyFor(w.org.id, w.storeA.id, 'manager')]) {
        expect((await request(app).post(w.url('/erase')).set(bearer(token))).status).to.equal(403);
      }
      for (const id of [w.storeBCustomerId, w.foreignCustomerId, '7d1e4a38-3c0b-4f43-9a51-0c6f6a1f1e2d']) {
        expect((await request(app).post(w.url('/erase', id)).set(bearer(w.tokens.admin))).status).to.equal(404);
      }
      expect((await owner('customers').where({ id: w.customerId }).first()).status).to.equal('active');
      expect((await owner('customers').where({ id: w.foreignCustomerId }).first()).first_name).to.equal('Cy');
    });

    it('keeps every file when the erasure rolls back', async () => {
      const w = await fullCustomer();
      // Makes the anonymising UPDATE of this one customer fail, so the erasure's transaction rolls back.
      const fn = `fail_erase_${w.customerId.replace(/-/g, '')}`;
      await owner.raw(`create function ${fn}() returns trigger language plpgsql as $$
        begin raise exception 'forced failure'; end $$`);
      await owner.raw(`create trigger ${fn} before update on customers for each row
        when (old.id = '${w.customerId}' and new.status = 'erased') execute function ${fn}()`);
      try {
        const res = await request(app).post(w.url('/erase')).set(bearer(w.tokens.admin));
        expect(res.status).to.equal(500);
      } finally {
        await owner.raw(`drop trigger ${fn} on customers`);
        await owner.raw(`drop function ${fn}()`);
      }
      for (const key of w.fileKeys) expect(await storage.get(key), key).to.not.equal(undefined);
      const row = await owner('customers').where({ id: w.customerId }).first();
      expect(row).to.include({ status: 'active', first_name: 'Zoë' });
      expect(await owner('customer_notes').where({ customer_id: w.customerId })).to.have.length(1);
      expect((await outboxOf(w.customerId)).map((e) => e.type)).to.not.include('customer.erased');
    });
  });
});
