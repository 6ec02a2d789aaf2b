import { expect } from 'chai';
import request from 'supertest';
import { encryptField } from '../../db/crypto/field-encryption.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { insertCustomer, type CustomerSeed } from '../support/customer-fixtures.js';
import { apiKeyFor, auditOf, outboxOf } from '../support/customer-subresource-fixtures.js';
import { testContext } from '../support/test-context.js';

describe('POST /stores/:storeId/customers/:id/merge', () => {
  const { app, owner } = testContext();

  async function world() {
    const tenant = await createTenant();
    const scope = { orgId: tenant.org.id, storeId: tenant.storeA.id };
    const customer = (seed: Partial<CustomerSeed>) =>
      insertCustomer({ ...scope, firstName: 'X', lastName: 'Y', ...seed });
    const token = await tokenFor(tenant.manager);
    const merge = (targetId: string, body: object, auth = token, storeId = tenant.storeA.id) =>
      request(app).post(`/api/v1/stores/${storeId}/customers/${targetId}/merge`).set(bearer(auth)).send(body);
    const row = (id: string) => owner('customers').where({ id }).first();
    const own = { organization_id: scope.orgId, store_id: scope.storeId };
    return { ...tenant, scope, customer, token, merge, row, own };
  }

  it('moves tags, notes, addresses, documents and external refs to the survivor and marks the source merged', async () => {
    const w = await world();
    const target = await w.customer({ firstName: 'Maria', lastName: 'Garcia', email: 'maria@example.test' });
    const source = await w.customer({
      firstName: 'Marie',
      lastName: 'Garcia',
      phone: '415-555-0142',
      email: 'old@example.test',
    });
    await owner('customer_tags').insert([
      { ...w.own, customer_id: target, label: 'VIP' },
      { ...w.own, customer_id: source, label: 'vip' },
      { ...w.own, customer_id: source, label: 'Medical' },
    ]);
    await owner('customer_notes').insert({ ...w.own, customer_id: source, content: 'prefers mornings' });
    const addr = (customer_id: string, type: string, line1: string, is_default: boolean) => ({
      ...w.own,
      customer_id,
      type,
      line1,
      city: 'Oakland',
      country: 'US',
      is_default,
    });
    await owner('customer_addresses').insert([
      addr(target, 'shipping', '1 Target St', true),
      addr(source, 'shipping', '2 Source St', true),
      addr(source, 'billing', '3 Billing St', true),
    ]);
    const [document] = await owner('customer_documents')
      .insert({ ...w.own, customer_id: source, type: 'passport', number_ciphertext: encryptField('X123') })
      .returning('id');
    await owner('customer_external_refs').insert({
      ...w.own,
      customer_id: source,
      provider: 'treez',
      external_id: 'T-1',
    });

    const res = await w.merge(target, { sourceId: source });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ id: target, firstName: 'Maria', email: 'maria@example.test', status: 'active' });
    expect(res.body.phone, "the survivor's empty phone is filled from the source").to.equal('+14155550142');
    expect(res.body.version).to.equal(2);
    expect(res.body.tags.map((t: string) => t.toLowerCase()).sort()).to.deep.equal(['medical', 'vip']);
    expect(res.body.externalRefs).to.deep.equal([{ provider: 'treez', externalId: 'T-1' }]);

    const tags = await owner('customer_tags').where({ customer_id: target }).select('label');
    expect(tags.map((t) => t.label).sort()).to.deep.equal(['Medical', 'VIP']);
    expect(await owner('customer_tags').where({ customer_id: source })).to.be.empty;
    expect(await owner('customer_notes').where({ customer_id: target }).pluck('content')).to.deep.equal([
      'prefers mornings',
    ]);
    const addresses = await owner('customer_addresses').where({ customer_id: target }).orderBy('line1');
    expect(addresses.map((a) => [a.line1, a.type, a.is_default])).to.deep.equal([
      ['1 Target St', 'shipping', true],
      ['2 Source St', 'shipping', false],
      ['3 Billing St', 'billing', true],
    ]);
    expect(await owner('customer_documents').where({ id: document.id }).first()).to.include({ customer_id: target });
    expect(await owner('customer_external_refs').where({ customer_id: target }).pluck('external_id')).to.deep.equal([
      'T-1',
    ]);
    for (const table of ['customer_notes', 'customer_addresses', 'customer_documents', 'customer_external_refs']) {
      expect(await owner(table).where({ customer_id: source }), table).to.be.empty;
    }

    const merged = await w.row(source);
    expect(merged).to.include({ status: 'merged', merged_into_id: target, version: 2, email: 'old@example.test' });
  });

  it('keeps the survivor fields unless a field says to take the source', async () => {
    const w = await world();
    const target = await w.customer({
      firstName: 'Jon',
      lastName: 'Smith',
      email: 'jon@example.test',
      birthday: '1980-01-01',
    });
    const source = await w.customer({
      firstName: 'John',
      lastName: 'Smith',
      email: 'john@example.test',
      birthday: '1980-01-02',
      driversLicense: 'D7654321',
    });
    const res = await w.merge(target, { sourceId: source, fields: { firstName: 'source', driversLicense: 'target' } });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ firstName: 'John', email: 'jon@example.test', birthday: '1980-01-01' });
    expect(res.body.driversLicense, "'target' keeps the survivor's empty licence").to.equal(null);
    const [audit] = (await auditOf(target)).filter((a) => a.action === 'customer.merged');
    expect(audit.changed_fields).to.deep.equal(['firstName']);
  });

  it('refuses an unknown field name or choice', async () => {
    const w = await world();
    const [a, b] = [await w.customer({}), await w.customer({})];
    const res = await w.merge(a, { sourceId: b, fields: { firstname: 'source', lastName: 'both' } });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).to.deep.equal([
      'fields.firstname',
      'fields.lastName',
    ]);
  });

  it('writes an audit row on both customers and one customer.merged event; GET of the source points at the survivor', async () => {
    const w = await world();
    const target = await w.customer({ firstName: 'Ana', lastName: 'Silva' });
    const source = await w.customer({ firstName: 'Anna', lastName: 'Silva', email: 'anna@example.test' });
    expect((await w.merge(target, { sourceId: source })).status).to.equal(200);

    const [targetAudit] = (await auditOf(target)).filter((a) => a.action === 'customer.merged');
    expect(targetAudit).to.include({ actor_type: 'user', actor_id: w.manager.id });
    expect(targetAudit.changed_fields).to.deep.equal(['email']);
    const [sourceAudit] = (await auditOf(source)).filter((a) => a.action === 'customer.merged');
    expect(sourceAudit.changed_fields).to.deep.equal(['status', 'mergedIntoId']);
    const events = (await outboxOf(target)).filter((e) => e.type === 'customer.merged');
    expect(events).to.have.length(1);
    expect(events[0].data).to.deep.equal({ sourceId: source, targetId: target, changedFields: ['email'] });

    const get = await request(app).get(`/api/v1/stores/${w.storeA.id}/customers/${source}`).set(bearer(w.token));
    expect(get.status).to.equal(200);
    expect(get.body).to.include({ id: source, status: 'merged', mergedIntoId: target });

    for (const [id, fields] of [
      [target, ['email']],
      [source, ['status', 'mergedIntoId']],
    ] as const) {
      const history = await request(app)
        .get(`/api/v1/stores/${w.storeA.id}/customers/${id}/history`)
        .set(bearer(w.token));
      expect(history.status).to.equal(200);
      const entry = history.body.data.find((e: { action: string }) => e.action === 'customer.merged');
      expect(entry, `history of the ${id === target ? 'survivor' : 'source'}`).to.include({
        actorType: 'user',
        actorId: w.manager.id,
      });
      expect(entry.changedFields).to.deep.equal(fields);
    }
  });

  it('lets only one of two concurrent merges of the same pair succeed, in either direction', async () => {
    const w = await world();
    const [a, b] = [await w.customer({ firstName: 'Kim' }), await w.customer({ firstName: 'Kimberly' })];
    const statuses = (
      await Promise.all([w.merge(a, { sourceId: b }), w.merge(b, { sourceId: a }), w.merge(a, { sourceId: b })])
    ).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).to.have.length(1);
    expect(statuses.filter((s) => s === 409)).to.have.length(2);
    const rows = await owner('customers').whereIn('id', [a, b]);
    expect(rows.filter((r) => r.status === 'merged')).to.have.length(1);
  });

  it('re-points customers merged earlier into the source at the new survivor', async () => {
    const w = await world();
    const [a, b, c] = [await w.customer({}), await w.customer({}), await w.customer({})];
    expect((await w.merge(b, { sourceId: c })).status).to.equal(200);
    expect((await w.merge(a, { sourceId: b })).status).to.equal(200);
    expect(await w.row(c)).to.include({ status: 'merged', merged_into_id: a });
  });

  it('answers 400 for the same id, 404 for ids of another store or organisation, 409 for a merged, deleted or erased one', async () => {
    const w = await world();
    const other = await createTenant();
    const target = await w.customer({});
    const same = await w.merge(target, { sourceId: target });
    expect(same.status).to.equal(400);
    expect(same.body.error.details[0].path).to.equal('sourceId');

    const inStoreB = await insertCustomer({ orgId: w.org.id, storeId: w.storeB.id, firstName: 'B', lastName: 'B' });
    const foreign = await insertCustomer({
      orgId: other.org.id,
      storeId: other.storeA.id,
      firstName: 'F',
      lastName: 'F',
    });
    for (const id of [inStoreB, foreign]) {
      expect((await w.merge(target, { sourceId: id })).status).to.equal(404);
      expect((await w.merge(id, { sourceId: target })).status).to.equal(404);
    }
    expect((await w.merge(target, { sourceId: target }, w.token, other.storeA.id)).status).to.equal(404);

    for (const status of ['deleted', 'erased']) {
      const gone = await w.customer({ status });
      const asSource = await w.merge(target, { sourceId: gone });
      expect(asSource.status, status).to.equal(409);
      expect(asSource.body.error.code).to.equal('conflict');
      expect((await w.merge(gone, { sourceId: target })).status, status).to.equal(409);
    }
    const source = await w.customer({});
    expect((await w.merge(target, { sourceId: source })).status).to.equal(200);
    expect((await w.merge(target, { sourceId: source })).status, 'already merged').to.equal(409);
    const untouched = await w.row(target);
    expect(untouched.version).to.equal(2);
  });

  it('is for managers in person: staff and API keys (even manager keys) get 403', async () => {
    const w = await world();
    const [a, b] = [await w.customer({}), await w.customer({})];
    expect((await w.merge(a, { sourceId: b }, await tokenFor(w.staff))).status).to.equal(403);
    expect((await w.merge(a, { sourceId: b }, await apiKeyFor(w.org.id, w.storeA.id, 'manager'))).status).to.equal(403);
    expect((await w.merge(a, { sourceId: b }, await tokenFor(w.admin))).status).to.equal(200);
  });
});
