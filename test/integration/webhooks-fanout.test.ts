import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { EventEnvelope } from '../../db/outbox/event-envelope.js';
import type { EventType } from '../../db/outbox/event-types.js';
import { withTenant } from '../../db/tenant.js';
import { fanOutToWebhooks } from '../../db/webhooks/webhook-fanout.js';
import { createOrg, createStore, type StoreFixture } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('webhook fan-out', () => {
  const { deps, owner } = testContext();
  let orgId: string;
  let storeA: StoreFixture;
  let storeB: StoreFixture;

  beforeEach(async () => {
    orgId = (await createOrg()).id;
    storeA = await createStore(orgId);
    storeB = await createStore(orgId);
  });

  async function webhook(fields: { eventTypes: string[]; storeId?: string; active?: boolean; deleted?: boolean }) {
    const [row] = await owner('webhooks')
      .insert({
        organization_id: orgId,
        store_id: fields.storeId ?? null,
        url: `https://hooks.example.test/${randomUUID()}`,
        event_types: fields.eventTypes,
        secret_ciphertext: 'not read here',
        active: fields.active ?? true,
        deleted_at: fields.deleted ? new Date() : null,
      })
      .returning('id');
    return row.id as string;
  }

  const envelope = (type: EventType, storeId: string | null, org = orgId): EventEnvelope => ({
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    organizationId: org,
    storeId,
    subject: { type: 'customer', id: randomUUID() },
    data: { changedFields: ['email'] },
    traceId: null,
  });

  const fanOut = (events: EventEnvelope[], org = orgId) =>
    withTenant(deps.db, { orgId: org }, (trx) => fanOutToWebhooks(trx, org, events));
  const deliveriesOf = (webhookId: string) =>
    owner('webhook_deliveries').where({ webhook_id: webhookId }).orderBy('created_at');

  it('creates one delivery per matching webhook and event: by type, by store filter, active and not deleted only', async () => {
    const updates = await webhook({ eventTypes: ['customer.updated'] });
    const everything = await webhook({ eventTypes: ['*'] });
    const storeBOnly = await webhook({ eventTypes: ['customer.created', 'customer.updated'], storeId: storeB.id });
    const paused = await webhook({ eventTypes: ['*'], active: false });
    const deleted = await webhook({ eventTypes: ['*'], deleted: true });

    const created = envelope('customer.created', storeA.id);
    const updated = envelope('customer.updated', storeB.id);
    const orgWide = envelope('customer_import.finished', null);
    const result = await fanOut([created, updated, orgWide]);

    expect(result).to.have.lengthOf(5);
    expect(result.every((r) => r.orgId === orgId)).to.equal(true);
    expect((await deliveriesOf(updates)).map((d) => d.event_id)).to.deep.equal([updated.id]);
    expect((await deliveriesOf(everything)).map((d) => d.event_id)).to.deep.equal([created.id, updated.id, orgWide.id]);
    expect((await deliveriesOf(storeBOnly)).map((d) => d.event_id)).to.deep.equal([updated.id]);
    expect(await deliveriesOf(paused)).to.have.lengthOf(0);
    expect(await deliveriesOf(deleted)).to.have.lengthOf(0);

    const ids = (await owner('webhook_deliveries').whereIn('webhook_id', [updates, everything, storeBOnly])).map(
      (d) => d.id,
    );
    expect(result.map((r) => r.deliveryId).sort()).to.deep.equal(ids.sort());
    const [stored] = await deliveriesOf(updates);
    expect(stored).to.include({
      status: 'pending',
      attempts: 0,
      event_type: 'customer.updated',
      organization_id: orgId,
    });
    expect(stored.payload).to.deep.equal(updated);
  });

  it('is idempotent: the same events handed over again create nothing and return nothing', async () => {
    const hook = await webhook({ eventTypes: ['*'] });
    const events = [envelope('customer.created', storeA.id), envelope('customer.deleted', storeA.id)];
    expect(await fanOut(events)).to.have.lengthOf(2);
    const again = await fanOut([...events, envelope('customer.tagged', storeA.id)]);
    expect(again).to.have.lengthOf(1);
    expect(await deliveriesOf(hook)).to.have.lengthOf(3);
  });

  it("never creates a delivery for another organisation's webhook", async () => {
    const otherOrg = (await createOrg()).id;
    const [foreign] = await owner('webhooks')
      .insert({ organization_id: otherOrg, url: 'https://x.example.test/', event_types: ['*'], secret_ciphertext: 'x' })
      .returning('id');
    // An event claiming the other organisation, fanned out in this one's transaction: nothing.
    expect(await fanOut([envelope('customer.created', null, otherOrg)])).to.deep.equal([]);
    expect(await fanOut([envelope('customer.created', null)])).to.deep.equal([]);
    expect(await deliveriesOf(foreign.id)).to.have.lengthOf(0);
  });

  it('answers an empty list for no events without a query', async () => {
    expect(await fanOut([])).to.deep.equal([]);
  });
});
