import { expect } from 'chai';
import request from 'supertest';
import { config } from '../../config/env.js';
import { createLocalFileStorage } from '../../integrations/storage/local-file-storage.js';
import { auditOf, customerWorld, outboxOf } from '../support/customer-subresource-fixtures.js';
import { bearer } from '../support/fixtures.js';
import { GIF, JPEG, PNG, TEXT, WEBP, pngOfSize } from '../support/sample-files.js';
import { testContext } from '../support/test-context.js';

describe('customer avatar', () => {
  const { app, owner } = testContext();
  const storage = createLocalFileStorage(config.storage.dir);
  const avatarKeyOf = async (customerId: string) =>
    (await owner('customers').where({ id: customerId }).first()).avatar_key as string | null;

  describe('PUT /customers/:id/avatar', () => {
    it('stores a PNG under a generated key and answers the customer with its avatarUrl', async () => {
      const w = await customerWorld();
      const res = await request(app)
        .put(w.url('/avatar'))
        .set(bearer(w.tokens.staff))
        .attach('file', PNG, { filename: 'me.jpg', contentType: 'image/jpeg' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: w.customerId, version: 2 });
      expect(res.body.avatarUrl).to.equal(`/api/v1/stores/${w.storeA.id}/customers/${w.customerId}/avatar`);
      const row = await owner('customers').where({ id: w.customerId }).first();
      expect(row.avatar_key).to.match(new RegExp(`^avatars/${w.org.id}/[0-9a-f-]{36}$`));
      expect(row.avatar_content_type).to.equal('image/png');
      expect(await storage.get(row.avatar_key)).to.deep.equal({ bytes: PNG, contentType: 'image/png' });

      expect((await outboxOf(w.customerId)).map((e) => [e.type, e.data])).to.deep.equal([
        ['customer.updated', { changedFields: ['avatar'] }],
      ]);
      expect((await auditOf(w.customerId)).map((a) => [a.action, a.changed_fields])).to.deep.equal([
        ['customer.updated', ['avatar']],
      ]);
    });

    it('accepts JPEG and WebP, and deletes the previous file once replaced', async () => {
      const w = await customerWorld();
      await request(app).put(w.url('/avatar')).set(bearer(w.tokens.staff)).attach('file', JPEG, 'a.jpg');
      const firstKey = (await avatarKeyOf(w.customerId))!;
      expect(await storage.get(firstKey)).to.not.equal(undefined);
      const res = await request(app).put(w.url('/avatar')).set(bearer(w.tokens.staff)).attach('file', WEBP, 'b.webp');
      expect(res.status).to.equal(200);
      const secondKey = (await avatarKeyOf(w.customerId))!;
      expect(secondKey).to.not.equal(firstKey);
      expect(await storage.get(firstKey)).to.equal(undefined);
      expect((await storage.get(secondKey))?.contentType).to.equal('image/webp');
    });

    it('refuses a text file named x.png (415) and an image of another kind (GIF), keeping the old avatar', async () => {
      const w = await customerWorld();
      await request(app).put(w.url('/avatar')).set(bearer(w.tokens.staff)).attach('file', PNG, 'ok.png');
      const keyBefore = await avatarKeyOf(w.customerId);
      for (const [bytes, name] of [
        [TEXT, 'x.png'],
        [GIF, 'y.png'],
      ] as const) {
        const res = await request(app)
          .put(w.url('/avatar'))
          .set(bearer(w.tokens.staff))
          .attach('file', bytes, { filename: name, contentType: 'image/png' });
        expect(res.status, name).to.equal(415);
        expect(res.body.error.code).to.equal('unsupported_media_type');
        expect(res.body.error.details[0].path).to.equal('file');
      }
      expect(await avatarKeyOf(w.customerId)).to.equal(keyBefore);
    });

    it('refuses an image over 1 MB (413) and takes one of exactly 1 MB', async () => {
      const w = await customerWorld();
      const big = await request(app)
        .put(w.url('/avatar'))
        .set(bearer(w.tokens.staff))
        .attach('file', pngOfSize(1024 * 1024 + 1), 'big.png');
      expect(big.status).to.equal(413);
      expect(big.body.error.code).to.equal('payload_too_large');
      expect(await avatarKeyOf(w.customerId)).to.equal(null);
      const exact = await request(app)
        .put(w.url('/avatar'))
        .set(bearer(w.tokens.staff))
        .attach('file', pngOfSize(1024 * 1024), 'exact.png');
      expect(exact.status).to.equal(200);
    });

    it('needs a file in the field `file` (400) sent as multipart (415 for JSON)', async () => {
      const w = await customerWorld();
      const none = await request(app).put(w.url('/avatar')).set(bearer(w.tokens.staff)).field('note', 'no file');
      expect(none.status).to.equal(400);
      expect(none.body.error.details).to.deep.equal([{ path: 'file', message: 'is required' }]);
      const wrongField = await request(app)
        .put(w.url('/avatar'))
        .set(bearer(w.tokens.staff))
        .attach('image', PNG, 'a.png');
      expect(wrongField.status).to.equal(400);
      const json = await request(app).put(w.url('/avatar')).set(bearer(w.tokens.staff)).send({ file: 'abc' });
      expect(json.status).to.equal(415);
    });

    it('answers 404 for customers of another store or organisation and leaves them alone', async () => {
      const w = await customerWorld();
      for (const id of [w.storeBCustomerId, w.foreignCustomerId]) {
        const res = await request(app)
          .put(w.url('/avatar', id))
          .set(bearer(w.tokens.admin))
          .attach('file', PNG, 'a.png');
        expect(res.status).to.equal(404);
        expect(await avatarKeyOf(id)).to.equal(null);
      }
      const unauthenticated = await request(app).put(w.url('/avatar')).attach('file', PNG, 'a.png');
      expect(unauthenticated.status).to.equal(401);
    });
  });

  describe('GET /customers/:id/avatar', () => {
    it('serves the image with its detected content type, not cached for others', async () => {
      const w = await customerWorld();
      await request(app)
        .put(w.url('/avatar'))
        .set(bearer(w.tokens.staff))
        .attach('file', PNG, { filename: 'x.gif', contentType: 'image/gif' });
      const res = await request(app).get(w.url('/avatar')).set(bearer(w.tokens.staff)).buffer(true);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('image/png');
      expect(res.headers['cache-control']).to.equal('private, no-cache');
      expect(Buffer.compare(res.body as Buffer, PNG)).to.equal(0);
    });

    it('answers 404 when the customer has no avatar, and for a foreign customer', async () => {
      const w = await customerWorld();
      expect((await request(app).get(w.url('/avatar')).set(bearer(w.tokens.staff))).status).to.equal(404);
      expect(
        (await request(app).get(w.url('/avatar', w.foreignCustomerId)).set(bearer(w.tokens.admin))).status,
      ).to.equal(404);
    });
  });
});
