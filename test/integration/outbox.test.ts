import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { ServiceContext } from '../../db/context.js';
import { systemActor } from '../../db/context.js';
import { toEnvelope } from '../../db/outbox/event-envelope.js';
import { listUnpublished, writeOutboxEvent } from '../../db/outbox/outbox-repository.js';
import { withTenant } from '../../db/tenant.js';
import { createOrg, createStore } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('outbox events', () => {
  const { deps, owner } = testContext();
  let context: ServiceContext;

  beforeEach(async () => {
    const org = await createOrg();
    const store = await createStore(org.id);
    context = { orgId: org.id, storeId: store.id, actor: systemActor, requestId: `req-${randomUUID()}` };
  });

  const eventsAbout = (subjectId: string) => owner('outbox_events').where({ subject_id: subjectId });

  it('keeps an event written in a transaction that commits, with the envelope of API.md', async () => {
    const customerId = randomUUID();
    const written = await withTenant(deps.db, { orgId: context.orgId }, (trx) =>
      writeOutboxEvent(trx, context, {
        type: 'customer.updated',
        subject: { type: 'customer', id: customerId },
        data: { changedFields: ['email', 'phone'] },
      }),
    );

    const unpublished = await withTenant(deps.db, { orgId: context.orgId }, (trx) => listUnpublished(trx, 100));
    const stored = unpublished.find((e) => e.id === written.id);
    expect(stored, 'the event is listed as unpublished').to.not.equal(undefined);
    const envelope = toEnvelope(stored!);
    expect(envelope).to.deep.equal({
      id: written.id,
      type: 'customer.updated',
      version: 1,
      occurredAt: envelope.occurredAt,
      organizationId: context.orgId,
      storeId: context.storeId,
      subject: { type: 'customer', id: customerId },
      data: { changedFields: ['email', 'phone'] },
      traceId: context.requestId,
    });
    expect(Object.keys(envelope)).to.have.lengthOf(9);
    expect(new Date(envelope.occurredAt).toISOString()).to.equal(envelope.occurredAt);
  });

  it('loses an event written in a transaction that rolls back', async () => {
    const customerId = randomUUID();
    let written = false;
    const outcome = await withTenant(deps.db, { orgId: context.orgId }, async (trx) => {
      await writeOutboxEvent(trx, context, { type: 'customer.created', subject: { type: 'customer', id: customerId } });
      written = true;
      throw new Error('the change failed after the event was written');
    }).catch((err: Error) => err.message);
    expect(outcome).to.equal('the change failed after the event was written');
    expect(written).to.equal(true);
    expect(await eventsAbout(customerId)).to.have.lengthOf(0);
  });

  it('refuses personal fields in the event data and writes nothing', async () => {
    const customerId = randomUUID();
    let caught: unknown;
    await withTenant(deps.db, { orgId: context.orgId }, (trx) =>
      writeOutboxEvent(trx, context, {
        type: 'customer.created',
        subject: { type: 'customer', id: customerId },
        data: { customerId, email: 'someone@example.test' },
      }),
    ).catch((err) => (caught = err));
    expect(caught).to.have.property('code', 'internal');
    expect((caught as Error).message).to.contain('email');
    expect(await eventsAbout(customerId)).to.have.lengthOf(0);
  });

  it('lists unpublished events in seq order and skips published ones', async () => {
    const ids: string[] = [];
    await withTenant(deps.db, { orgId: context.orgId }, async (trx) => {
      for (let i = 0; i < 3; i += 1) {
        const e = await writeOutboxEvent(trx, context, {
          type: 'order.created',
          subject: { type: 'order', id: randomUUID() },
        });
        ids.push(e.id);
      }
    });
    await owner('outbox_events').where({ id: ids[1] }).update({ published_at: owner.fn.now() });

    const listed = await withTenant(deps.db, { orgId: context.orgId }, (trx) => listUnpublished(trx, 100));
    const mine = listed.filter((e) => ids.includes(e.id)).map((e) => e.id);
    expect(mine).to.deep.equal([ids[0], ids[2]]);
    const seqs = listed.map((e) => e.seq);
    expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
  });

  it("cannot be seen from another organisation's transaction", async () => {
    const customerId = randomUUID();
    const written = await withTenant(deps.db, { orgId: context.orgId }, (trx) =>
      writeOutboxEvent(trx, context, { type: 'customer.created', subject: { type: 'customer', id: customerId } }),
    );
    const otherOrg = await createOrg();

    const seenByOther = await withTenant(deps.db, { orgId: otherOrg.id }, async (trx) => ({
      direct: await trx('outbox_events').where({ id: written.id }),
      listed: (await listUnpublished(trx, 1000)).map((e) => e.id),
    }));
    expect(seenByOther.direct).to.have.lengthOf(0);
    expect(seenByOther.listed).to.not.include(written.id);
    expect(await eventsAbout(customerId)).to.have.lengthOf(1);
  });
});
