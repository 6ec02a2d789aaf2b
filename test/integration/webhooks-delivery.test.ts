import { createHmac, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import nock from 'nock';
import request from 'supertest';
import { createRedis } from '../../config/redis.js';
import { systemActor } from '../../db/context.js';
import { toEnvelope, type EventEnvelope } from '../../db/outbox/event-envelope.js';
import { writeOutboxEvent } from '../../db/outbox/outbox-repository.js';
import type { EventType } from '../../db/outbox/event-types.js';
import { withTenant } from '../../db/tenant.js';
import { fanOutToWebhooks } from '../../db/webhooks/webhook-fanout.js';
import {
  enqueueDueWebhookDeliveries,
  FAILED_JOB_REQUEUE_DELAY_MS,
  webhookDeliveryProcessor,
} from '../../jobs/processors/webhook-delivery.js';
import { closeQueues, createQueues, enqueue, jobId, queuePrefix, type Queues } from '../../jobs/queues.js';
import { runJob } from '../../jobs/run-job.js';
import type { AddressLookup } from '../../integrations/events/webhook-url-guard.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

/** DNS as the test says it is; unknown names fail. */
const dns =
  (answers: Record<string, string[]>): AddressLookup =>
  async (hostname) => {
    const found = answers[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const RECEIVER = 'https://hooks.example.com';
const REBOUND = 'https://rebind.example.com';

interface Received {
  headers: Headers;
  body: string;
}

// The delivery job end to end: a real BullMQ worker on a queue of its own, real PostgreSQL, and nock as
// the receiver. NODE_ENV=test refuses private targets, as outside development; the injected resolver
// makes hooks.example.com a public address without DNS, and rebind.example.com point at loopback.
describe('webhook delivery', () => {
  const { app, deps, owner } = testContext();
  const lookup = dns({ 'hooks.example.com': ['93.184.216.34'], 'rebind.example.com': ['127.0.0.1'] });
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let admin: Record<string, string>;
  let queues: Queues;
  let prefix: string;
  let worker: Worker | undefined;
  let events: QueueEvents | undefined;
  let eventsRedis: ReturnType<typeof createRedis> | undefined;
  const workerRedis = createRedis('worker');

  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
  });
  after(() => {
    nock.enableNetConnect();
    workerRedis.disconnect();
  });

  beforeEach(async () => {
    tenant = await createTenant();
    admin = bearer(await tokenFor(tenant.admin));
    prefix = `{patron-test-webhooks-${randomUUID().slice(0, 8)}}`;
    queues = createQueues(deps.redis, prefix);
  });

  afterEach(async () => {
    nock.cleanAll();
    await worker?.close();
    await events?.close();
    eventsRedis?.disconnect();
    worker = undefined;
    events = undefined;
    eventsRedis = undefined;
    await queues['webhook-delivery'].obliterate({ force: true });
    await closeQueues(queues);
  });

  /** A worker for this test's queue: retries without waiting, three attempts in all. */
  async function startWorker(processor = runJob(webhookDeliveryProcessor(deps.db, { lookup, retryDelaysMs: [0, 0] }))) {
    worker = new Worker('webhook-delivery', processor, { connection: workerRedis, prefix, concurrency: 4 });
    // From the start of this queue's event stream: a job that finished before the listener was reading
    // (one waiting before the worker started) is still seen.
    eventsRedis = createRedis('worker');
    events = new QueueEvents('webhook-delivery', { connection: eventsRedis, prefix, lastEventId: '0-0' });
    await events.waitUntilReady();
  }

  async function registerWebhook(url: string, eventTypes: string[] = ['customer.updated']) {
    const res = await request(app).post('/api/v1/webhooks').set(admin).send({ url, eventTypes });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; secret: string };
  }

  /** What the relay does: the event and its fan-out in one transaction, then one job per new delivery. */
  async function publish(type: EventType = 'customer.updated') {
    const ctx = { orgId: tenant.org.id, storeId: tenant.storeA.id, actor: systemActor, requestId: randomUUID() };
    const { envelope, deliveries } = await withTenant(deps.db, { orgId: ctx.orgId }, async (trx) => {
      const event = await writeOutboxEvent(trx, ctx, {
        type,
        subject: { type: 'customer', id: randomUUID() },
        data: { changedFields: ['email', 'phone'] },
      });
      const env = toEnvelope(event);
      return { envelope: env, deliveries: await fanOutToWebhooks(trx, ctx.orgId, [env]) };
    });
    const jobs = await Promise.all(deliveries.map((d) => enqueue(queues, 'webhook-delivery', d)));
    return { envelope, deliveries, jobs };
  }

  const finish = (job: { waitUntilFinished: (e: QueueEvents, ttl: number) => Promise<unknown> }) =>
    job.waitUntilFinished(events!, 15_000);

  /** One nock interceptor per attempt, each recording what it received. */
  function receiver(base: string, path: string, statuses: number[], received: Received[]) {
    const scope = nock(base);
    for (const status of statuses) {
      scope.post(path).reply(async (req: Request) => {
        received.push({ headers: req.headers, body: await req.text() });
        return [status, status < 300 ? 'ok' : 'not now'];
      });
    }
    return scope;
  }

  const deliveriesOf = async (webhookId: string) => {
    const res = await request(app).get(`/api/v1/webhooks/${webhookId}/deliveries`).set(admin);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.data;
  };

  it('a receiver that fails twice then succeeds gets the event with a valid signature; the deliveries route shows 3 attempts', async () => {
    await startWorker();
    const path = `/patron/${randomUUID()}`;
    const webhook = await registerWebhook(`${RECEIVER}${path}`);
    const received: Received[] = [];
    const scope = receiver(RECEIVER, path, [500, 500, 200], received);

    const { envelope, deliveries, jobs } = await publish();
    expect(deliveries).to.have.lengthOf(1);
    await finish(jobs[0]);
    expect(scope.isDone(), 'three requests were made').to.equal(true);
    expect(received).to.have.lengthOf(3);

    const last = received[2];
    const expected: EventEnvelope = { ...envelope, storeId: tenant.storeA.id };
    expect(JSON.parse(last.body)).to.deep.equal(expected);
    expect(Object.keys(JSON.parse(last.body))).to.deep.equal([
      'id',
      'type',
      'version',
      'occurredAt',
      'organizationId',
      'storeId',
      'subject',
      'data',
      'traceId',
    ]);
    expect(last.headers.get('content-type')).to.equal('application/json');
    expect(last.headers.get('patron-event-id')).to.equal(envelope.id);
    expect(last.headers.get('patron-event-type')).to.equal('customer.updated');
    expect(last.headers.get('patron-delivery-id')).to.equal(deliveries[0].deliveryId);
    // Every attempt carries the same event id, so a receiver can drop a duplicate.
    expect(received.map((r) => r.headers.get('patron-event-id'))).to.deep.equal([
      envelope.id,
      envelope.id,
      envelope.id,
    ]);

    // The receiver's check: HMAC-SHA256 over "<timestamp>.<raw body>" with the secret shown at registration.
    const timestamp = last.headers.get('patron-timestamp')!;
    const signature = last.headers.get('patron-signature')!;
    expect(signature).to.match(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(signature.startsWith(`t=${timestamp},`)).to.equal(true);
    const hmac = createHmac('sha256', webhook.secret).update(`${timestamp}.${last.body}`).digest('hex');
    expect(signature).to.equal(`t=${timestamp},v1=${hmac}`);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).to.be.below(300);

    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery).to.include({
      id: deliveries[0].deliveryId,
      eventId: envelope.id,
      eventType: 'customer.updated',
      status: 'delivered',
      nextAttemptAt: null,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(delivery.deliveredAt).to.be.a('string');
    expect(delivery.attempts.map((a: { statusCode: number }) => a.statusCode)).to.deep.equal([500, 500, 200]);
    expect(delivery.attempts.map((a: { error: string | null }) => a.error)).to.deep.equal([
      'receiver answered 500',
      'receiver answered 500',
      null,
    ]);
    for (const a of delivery.attempts) expect(a.durationMs).to.be.a('number').and.at.least(0);
    expect(JSON.stringify(delivery)).to.not.include('not now'); // the receiver's body is never kept
  });

  it('a permanently failing receiver: the delivery ends failed after its (test-shortened) schedule, every attempt recorded', async () => {
    await startWorker();
    const path = `/down/${randomUUID()}`;
    const webhook = await registerWebhook(`${RECEIVER}${path}`);
    const scope = nock(RECEIVER).post(path).times(3).reply(503, 'maintenance');
    nock(RECEIVER).post(path).reply(200); // a fourth request would succeed: there must not be one

    const { jobs } = await publish();
    await finish(jobs[0]);
    expect(scope.isDone()).to.equal(true);
    expect(nock.pendingMocks()).to.have.lengthOf(1);

    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery).to.include({ status: 'failed', lastStatusCode: 503, nextAttemptAt: null, deliveredAt: null });
    expect(delivery.attempts).to.have.lengthOf(3);
    expect(delivery.attempts.every((a: { statusCode: number }) => a.statusCode === 503)).to.equal(true);
    const failed = await request(app).get(`/api/v1/webhooks/${webhook.id}/deliveries?status=failed`).set(admin);
    expect(failed.body.data.map((d: { id: string }) => d.id)).to.deep.equal([delivery.id]);
  });

  it('a host that resolves to 127.0.0.1 at delivery time (DNS rebinding) is refused: nothing is sent, each attempt is recorded', async () => {
    await startWorker();
    const path = `/hook/${randomUUID()}`;
    // A public-looking name passes registration; it points at loopback by the time events flow.
    const webhook = await registerWebhook(`${REBOUND}${path}`);
    const scope = nock(REBOUND).post(path).reply(200);

    const { jobs } = await publish();
    await finish(jobs[0]);
    expect(scope.isDone(), 'no request reached the loopback host').to.equal(false);

    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery.status).to.equal('failed');
    expect(delivery.attempts).to.have.lengthOf(3);
    for (const a of delivery.attempts) {
      expect(a).to.include({ statusCode: null, error: 'host resolves to a non-public address' });
    }
  });

  it('does not follow a redirect, and records a refused connection as an attempt', async () => {
    await startWorker();
    const path = `/moved/${randomUUID()}`;
    const webhook = await registerWebhook(`${RECEIVER}${path}`);
    nock(RECEIVER).post(path).reply(301, '', { Location: 'http://127.0.0.1:1/steal' });
    nock(RECEIVER)
      .post(path)
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED 93.184.216.34:443'), { code: 'ECONNREFUSED' }));
    nock(RECEIVER).post(path).reply(204);

    const { jobs } = await publish();
    await finish(jobs[0]);
    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery.status).to.equal('delivered');
    expect(
      delivery.attempts.map((a: { statusCode: number | null; error: string | null }) => [a.statusCode, a.error]),
    ).to.deep.equal([
      [301, 'receiver answered 301; redirects are not followed'],
      [null, 'connection refused'],
      [204, null],
    ]);
  });

  it('sends nothing for a webhook deactivated while its delivery waited, and the delivery fails', async () => {
    const path = `/paused/${randomUUID()}`;
    const webhook = await registerWebhook(`${RECEIVER}${path}`);
    const scope = nock(RECEIVER).post(path).reply(200);
    const { jobs, deliveries } = await publish();
    const patched = await request(app).patch(`/api/v1/webhooks/${webhook.id}`).set(admin).send({ active: false });
    expect(patched.status).to.equal(200);

    await startWorker();
    await finish(jobs[0]);
    expect(scope.isDone()).to.equal(false);
    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery).to.include({
      id: deliveries[0].deliveryId,
      status: 'failed',
      lastError: 'webhook was deactivated',
    });
    expect(delivery.attempts).to.deep.equal([]);
  });

  it('retries a failed delivery on request (202), sending it again with a new schedule; refuses a delivered one (409)', async () => {
    const path = `/later/${randomUUID()}`;
    const webhook = await registerWebhook(`${RECEIVER}${path}`);
    nock(RECEIVER).post(path).times(3).reply(500);
    await startWorker();
    const { deliveries, jobs } = await publish();
    await finish(jobs[0]);
    const deliveryId = deliveries[0].deliveryId;
    const retryPath = `/api/v1/webhooks/${webhook.id}/deliveries/${deliveryId}/retry`;

    const retried = await request(app).post(retryPath).set(admin).send({});
    expect(retried.status, JSON.stringify(retried.body)).to.equal(202);
    expect(retried.body).to.include({ id: deliveryId, status: 'pending' });
    expect(retried.body.attempts).to.have.lengthOf(3);
    // The route enqueued on the service's own queue; run that job here, on this test's worker.
    const appQueue = createQueues(deps.redis, queuePrefix());
    const id = jobId('webhook-delivery', deliveryId);
    try {
      expect(await appQueue['webhook-delivery'].getJobState(id)).to.be.oneOf(['waiting', 'delayed', 'active']);
      await appQueue['webhook-delivery'].remove(id);
    } finally {
      await closeQueues(appQueue);
    }
    nock(RECEIVER).post(path).reply(200);
    // The first run's job finished under the same id: the sweeper must replace it, not no-op.
    expect(await sweepOverdue(deliveryId)).to.be.at.least(1);
    await finish((await queues['webhook-delivery'].getJob(id))!);

    const [delivery] = await deliveriesOf(webhook.id);
    expect(delivery.status).to.equal('delivered');
    expect(delivery.attempts.map((a: { statusCode: number }) => a.statusCode)).to.deep.equal([500, 500, 500, 200]);

    const again = await request(app).post(retryPath).set(admin).send({});
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('conflict');
    const unknown = await request(app)
      .post(`/api/v1/webhooks/${webhook.id}/deliveries/${randomUUID()}/retry`)
      .set(admin)
      .send({});
    expect(unknown.status).to.equal(404);
  });

  /** The sweeper, once the delivery is overdue (created over a minute ago): how many jobs it added. */
  async function sweepOverdue(deliveryId: string): Promise<number> {
    await owner('webhook_deliveries')
      .where({ id: deliveryId })
      .update({ created_at: owner.raw(`now() - interval '2 minutes'`), next_attempt_at: owner.raw('now()') });
    return enqueueDueWebhookDeliveries(deps.db, queues);
  }

  it('the sweeper re-enqueues a pending delivery whose job was lost, and leaves fresh, queued and finished ones alone', async () => {
    const webhook = await registerWebhook(`${RECEIVER}/sweep/${randomUUID()}`);
    const lost = await publish();
    const queued = await publish();
    const fresh = await publish();
    const done = await publish();
    await queues['webhook-delivery'].obliterate({ force: true }); // the relay died before its enqueues
    await enqueue(queues, 'webhook-delivery', queued.deliveries[0]);
    const overdue = [lost, queued, done].map((p) => p.deliveries[0].deliveryId);
    await owner('webhook_deliveries')
      .whereIn('id', overdue)
      .update({ created_at: owner.raw(`now() - interval '2 minutes'`) });
    await owner('webhook_deliveries').where({ id: done.deliveries[0].deliveryId }).update({ status: 'delivered' });

    await enqueueDueWebhookDeliveries(deps.db, queues);
    const jobs = await queues['webhook-delivery'].getJobs(['waiting', 'delayed']);
    const mine = jobs.map((j) => j.data).filter((d) => d.orgId === tenant.org.id);
    expect(mine.map((d) => d.deliveryId).sort()).to.deep.equal(
      [lost.deliveries[0].deliveryId, queued.deliveries[0].deliveryId].sort(),
    );
    expect(JSON.stringify(mine)).to.not.include(webhook.secret);
    expect(fresh.deliveries).to.have.lengthOf(1);

    // Called again at once: everything due is already queued, nothing is added twice.
    await enqueueDueWebhookDeliveries(deps.db, queues);
    const again = (await queues['webhook-delivery'].getJobs(['waiting', 'delayed'])).filter(
      (j) => j.data.orgId === tenant.org.id,
    );
    expect(again).to.have.lengthOf(2);
  });

  it('after a job that failed for good (the database away), the sweeper adds a new one that waits a minute', async () => {
    await registerWebhook(`${RECEIVER}/stuck/${randomUUID()}`);
    await startWorker(async () => {
      throw new UnrecoverableError('database unavailable');
    });
    const { deliveries, jobs } = await publish();
    const failure = await finish(jobs[0]).then(
      () => 'completed',
      (err: Error) => err.message,
    );
    expect(failure).to.equal('database unavailable');
    await worker!.close();
    const id = jobId('webhook-delivery', deliveries[0].deliveryId);
    expect(await queues['webhook-delivery'].getJobState(id)).to.equal('failed');

    expect(await sweepOverdue(deliveries[0].deliveryId)).to.be.at.least(1);
    const again = await queues['webhook-delivery'].getJob(id);
    expect(await again!.getState()).to.equal('delayed');
    expect(again!.opts.delay).to.equal(FAILED_JOB_REQUEUE_DELAY_MS);
    expect(again!.data).to.deep.equal(deliveries[0]);
    // Swept again while it waits: left alone.
    await enqueueDueWebhookDeliveries(deps.db, queues);
    expect((await queues['webhook-delivery'].getJob(id))!.timestamp).to.equal(again!.timestamp);
  });
});
