import { expect } from 'chai';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { config } from '../../config/env.js';
import { blindIndex } from '../../db/crypto/field-encryption.js';
import { readCustomerDocumentFile } from '../../db/customers/customer-document-service.js';
import { createLocalFileStorage } from '../../integrations/storage/local-file-storage.js';
import { apiKeyFor, auditOf, customerWorld, outboxOf } from '../support/customer-subresource-fixtures.js';
import { bearer } from '../support/fixtures.js';
import { JPEG, PDF, PNG, TEXT, pngOfSize } from '../support/sample-files.js';
import { testContext } from '../support/test-context.js';

describe('customer documents', () => {
  const { app, owner, deps } = testContext();
  const storage = createLocalFileStorage(config.storage.dir);

  const documentsOf = (customerId: string) => owner('customer_documents').where({ customer_id: customerId });

  describe('POST /customers/:id/documents', () => {
    it('records a document from JSON: number encrypted with a blind index and last four, masked for staff', async () => {
      const w = await customerWorld();
      const res = await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .send({ type: 'passport', number: 'x12-345 678', issuingRegion: 'GB', expiresOn: '2031-05-01' });
      expect(res.status).to.equal(201);
      expect(res.body).to.deep.include({
        type: 'passport',
        number: '•••• 5678',
        issuingRegion: 'GB',
        expiresOn: '2031-05-01',
        file: null,
      });
      const [row] = await documentsOf(w.customerId);
      expect(row.number_ciphertext).to.match(/^v1\./);
      expect(row.number_ciphertext).to.not.include('X12345678');
      expect(row.number_bidx).to.equal(blindIndex('document', 'X12345678'));
      expect(row.number_last4).to.equal('5678');
      expect(row.created_by).to.equal(w.staff.id);

      const events = await outboxOf(w.customerId);
      expect(events.map((e) => [e.type, e.data])).to.deep.equal([
        ['customer.updated', { documentId: res.body.id, changedFields: ['documents'] }],
      ]);
      expect((await auditOf(w.customerId)).map((a) => a.action)).to.deep.equal(['customer.document_added']);
    });

    it('shows the number in full to managers', async () => {
      const w = await customerWorld();
      await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .send({ type: 'state_id', number: 'S 1234 9999' });
      const asManager = await request(app).get(w.url('/documents')).set(bearer(w.tokens.manager));
      expect(asManager.body.data[0].number).to.equal('S12349999');
      const asStaff = await request(app).get(w.url('/documents')).set(bearer(w.tokens.staff));
      expect(asStaff.body.data[0].number).to.equal('•••• 9999');
    });

    it('takes a multipart upload with a PDF, JPEG or PNG file, judged by content, and stores it', async () => {
      const w = await customerWorld();
      for (const [bytes, type] of [
        [PDF, 'application/pdf'],
        [JPEG, 'image/jpeg'],
        [PNG, 'image/png'],
      ] as const) {
        const res = await request(app)
          .post(w.url('/documents'))
          .set(bearer(w.tokens.staff))
          .field('type', 'drivers_license')
          .field('number', 'D1234567')
          .field('expiresOn', '2030-01-31')
          .attach('file', bytes, { filename: 'scan.bin', contentType: 'application/octet-stream' });
        expect(res.status, type).to.equal(201);
        expect(res.body.file).to.deep.equal({ contentType: type, size: bytes.length });
        const row = await owner('customer_documents').where({ id: res.body.id }).first();
        expect(row.file_key).to.match(new RegExp(`^documents/${w.org.id}/[0-9a-f-]{36}$`));
        expect(row.file_key).to.not.include('scan');
        expect(await storage.get(row.file_key)).to.deep.equal({ bytes, contentType: type });
      }
      const file = await readCustomerDocumentFile(
        deps.db,
        storage,
        { orgId: w.org.id, storeId: w.storeA.id, actor: { type: 'user', id: w.manager.id, role: 'manager' } },
        w.customerId,
        (await documentsOf(w.customerId).orderBy('created_at').first()).id,
      );
      expect(file.contentType).to.equal('application/pdf');
      expect((await auditOf(w.customerId)).at(-1).action).to.equal('customer.document_viewed');
    });

    it('refuses a file that is not a JPEG, PNG or PDF whatever its name (415), and stores nothing', async () => {
      const w = await customerWorld();
      const res = await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .field('type', 'passport')
        .field('number', 'P1')
        .attach('file', TEXT, { filename: 'passport.pdf', contentType: 'application/pdf' });
      expect(res.status).to.equal(415);
      expect(res.body.error.code).to.equal('unsupported_media_type');
      expect(await documentsOf(w.customerId)).to.be.empty;
    });

    it('refuses a file over 5 MB (413)', async () => {
      const w = await customerWorld();
      const res = await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .field('type', 'passport')
        .field('number', 'P1')
        .attach('file', pngOfSize(5 * 1024 * 1024 + 1), 'big.png');
      expect(res.status).to.equal(413);
      expect(res.body.error.code).to.equal('payload_too_large');
      expect(await documentsOf(w.customerId)).to.be.empty;
    });

    it('reports every invalid field at once, in JSON and in multipart', async () => {
      const w = await customerWorld();
      const json = await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .send({ type: 'library_card', expiresOn: '2030-02-30' });
      expect(json.status).to.equal(400);
      expect(json.body.error.details.map((d: { path: string }) => d.path)).to.have.members([
        'type',
        'number',
        'expiresOn',
      ]);
      const multipart = await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .field('type', 'passport')
        .attach('file', PDF, 'a.pdf');
      expect(multipart.status).to.equal(400);
      expect(multipart.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['number']);
      const punctuation = await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .send({ type: 'other', number: '--- ---' });
      expect(punctuation.status).to.equal(400);
      expect(await documentsOf(w.customerId)).to.be.empty;
    });

    it('removes the stored file again when the document cannot be recorded', async () => {
      const w = await customerWorld();
      await owner('customers').where({ id: w.customerId }).update({ status: 'deleted', deleted_at: new Date() });
      const before = await storedDocumentCount(w.org.id);
      const res = await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .field('type', 'passport')
        .field('number', 'P1')
        .attach('file', PDF, 'a.pdf');
      expect(res.status).to.equal(409);
      expect(await storedDocumentCount(w.org.id)).to.equal(before);
    });

    it('refuses another body type (415) and answers 404 for customers of another store or organisation', async () => {
      const w = await customerWorld();
      const text = await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .set('Content-Type', 'text/plain')
        .send('type=passport');
      expect(text.status).to.equal(415);
      for (const id of [w.storeBCustomerId, w.foreignCustomerId]) {
        const res = await request(app)
          .post(w.url('/documents', id))
          .set(bearer(w.tokens.admin))
          .send({ type: 'passport', number: 'P1' });
        expect(res.status).to.equal(404);
      }
    });
  });

  describe('GET /customers/:id/documents', () => {
    it('lists only this customer’s documents, paginated, for staff API keys too', async () => {
      const w = await customerWorld();
      for (const number of ['A1', 'B2', 'C3'])
        await request(app).post(w.url('/documents')).set(bearer(w.tokens.staff)).send({ type: 'other', number });
      await request(app)
        .post(w.url('/documents', w.storeBCustomerId, w.storeB.id))
        .set(bearer(w.tokens.admin))
        .send({ type: 'other', number: 'Z9' });
      const key = await apiKeyFor(w.org.id, w.storeA.id, 'staff');
      const page1 = await request(app).get(w.url('/documents')).query({ limit: 2 }).set(bearer(key));
      const page2 = await request(app)
        .get(w.url('/documents'))
        .query({ limit: 2, cursor: page1.body.nextCursor })
        .set(bearer(key));
      expect([...page1.body.data, ...page2.body.data].map((d: { number: string }) => d.number)).to.deep.equal([
        '•••• A1',
        '•••• B2',
        '•••• C3',
      ]);
      expect(page2.body.nextCursor).to.equal(null);
      expect((await request(app).get(w.url('/documents', w.foreignCustomerId)).set(bearer(key))).status).to.equal(404);
    });
  });

  describe('DELETE /customers/:id/documents/:documentId', () => {
    it('deletes the document and its file (204); 404 afterwards and for another customer’s document', async () => {
      const w = await customerWorld();
      const created = await request(app)
        .post(w.url('/documents'))
        .set(bearer(w.tokens.staff))
        .field('type', 'passport')
        .field('number', 'P1')
        .attach('file', PDF, 'a.pdf');
      const key = (await owner('customer_documents').where({ id: created.body.id }).first()).file_key;
      expect(await storage.get(key)).to.not.equal(undefined);

      const wrongCustomer = await request(app)
        .delete(w.url(`/documents/${created.body.id}`, w.storeBCustomerId))
        .set(bearer(w.tokens.admin));
      expect(wrongCustomer.status).to.equal(404);

      const res = await request(app)
        .delete(w.url(`/documents/${created.body.id}`))
        .set(bearer(w.tokens.staff));
      expect(res.status).to.equal(204);
      expect(await documentsOf(w.customerId)).to.be.empty;
      expect(await storage.get(key)).to.equal(undefined);
      expect((await auditOf(w.customerId)).at(-1).action).to.equal('customer.document_removed');
      expect((await outboxOf(w.customerId)).at(-1).data).to.deep.equal({
        documentId: created.body.id,
        changedFields: ['documents'],
      });
      const again = await request(app)
        .delete(w.url(`/documents/${created.body.id}`))
        .set(bearer(w.tokens.staff));
      expect(again.status).to.equal(404);
    });
  });
});

async function storedDocumentCount(orgId: string): Promise<number> {
  try {
    return (await readdir(path.resolve(config.storage.dir, 'documents', orgId))).length;
  } catch {
    return 0;
  }
}

describe('GET /customers/:id/documents/:documentId/file', () => {
  const { app, owner } = testContext();

  it('serves the scan to a manager with its type, records the viewing, and refuses staff', async () => {
    const w = await customerWorld();
    const created = await request(app)
      .post(w.url('/documents'))
      .set(bearer(w.tokens.staff))
      .field('type', 'drivers_license')
      .field('number', 'D7654321')
      .attach('file', PDF, 'scan.pdf');
    expect(created.status).to.equal(201);
    const fileUrl = w.url(`/documents/${created.body.id}/file`);

    const asStaff = await request(app).get(fileUrl).set(bearer(w.tokens.staff));
    expect(asStaff.status).to.equal(403);

    const asManager = await request(app)
      .get(fileUrl)
      .set(bearer(w.tokens.manager))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(asManager.status).to.equal(200);
    expect(asManager.headers['content-type']).to.match(/application\/pdf/);
    expect(Buffer.compare(asManager.body as Buffer, PDF)).to.equal(0);
    const actions = (await auditOf(w.customerId)).map((a) => a.action);
    expect(actions).to.include('customer.document_viewed');

    const withoutFile = await request(app)
      .post(w.url('/documents'))
      .set(bearer(w.tokens.staff))
      .send({ type: 'passport', number: 'P1' });
    const none = await request(app)
      .get(w.url(`/documents/${withoutFile.body.id}/file`))
      .set(bearer(w.tokens.manager));
    expect(none.status).to.equal(404);
    expect(
      await owner('customer_documents').where({ customer_id: w.customerId }).count<{ count: number }[]>('* as count'),
    ).to.deep.equal([{ count: 2 }]);
  });
});
