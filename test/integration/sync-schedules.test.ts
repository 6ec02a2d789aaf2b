import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createRedis } from '../../config/redis.js';
import { closeQueues, createQueues, type Queues } from '../../jobs/queues.js';
import { registerSchedules } from '../../jobs/schedules.js';
import { createOrg, createStore } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('store sync schedules registered at worker boot', () => {
  const { owner, deps } = testContext();
  let queues: Queues;
  const connection = createRedis('client');

  beforeEach(() => {
    // A prefix of its own: other tests' stores also have settings, and their schedulers are not ours.
    queues = createQueues(connection, `{patron-test-schedules-${randomUUID().slice(0, 8)}}`);
  });

  afterEach(async () => {
    await queues['customer-sync'].obliterate({ force: true });
    await queues.maintenance.obliterate({ force: true });
    await closeQueues(queues);
  });

  after(() => connection.disconnect());

  async function storeWithSettings(timezone: string, syncSchedule?: string) {
    const org = await createOrg();
    const store = await createStore(org.id, { timezone });
    await owner('pos_settings').insert({
      organization_id: org.id,
      store_id: store.id,
      provider: 'blaze',
      credentials_ciphertext: 'not-read-by-the-scheduler',
      ...(syncSchedule ? { sync_schedule: syncSchedule } : {}),
    });
    return { orgId: org.id, storeId: store.id };
  }

  it('two processes booting at once leave one scheduler per store, on its cron in its zone', async () => {
    const berlin = await storeWithSettings('Europe/Berlin', '30 4 * * 1');
    const pacific = await storeWithSettings('America/Los_Angeles');
    const withoutSettings = await createStore((await createOrg()).id);

    await Promise.all([registerSchedules(queues, deps.db), registerSchedules(queues, deps.db)]);
    await registerSchedules(queues, deps.db);

    const schedulers = await queues['customer-sync'].getJobSchedulers(0, -1);
    const byKey = new Map(schedulers.map((s) => [s.key, s]));
    expect(schedulers.length, 'one per key').to.equal(byKey.size);
    expect(byKey.get(`customer-sync.${berlin.storeId}`)).to.deep.include({
      pattern: '30 4 * * 1',
      tz: 'Europe/Berlin',
    });
    expect(byKey.get(`customer-sync.${pacific.storeId}`)).to.deep.include({
      pattern: '0 3 * * *',
      tz: 'America/Los_Angeles',
    });
    expect(byKey.has(`customer-sync.${withoutSettings.id}`)).to.equal(false);
    expect(schedulers.every((s) => s.key.startsWith('customer-sync.'))).to.equal(true);

    // One delayed job per store scheduler (its next run), carrying ids only.
    const delayed = await queues['customer-sync'].getDelayed();
    const ours = delayed.filter((j) => j.data.storeId === berlin.storeId);
    expect(ours).to.have.length(1);
    expect(ours[0].data).to.deep.equal({ syncId: 'scheduled', storeId: berlin.storeId, orgId: berlin.orgId });
    expect(await queues.maintenance.getJobSchedulers()).to.have.length(1);
  });

  it('a changed cron moves the scheduler at the next boot instead of adding one', async () => {
    const store = await storeWithSettings('America/New_York', '0 5 * * *');
    await registerSchedules(queues, deps.db);
    await owner('pos_settings').where({ store_id: store.storeId }).update({ sync_schedule: '15 6 * * *' });
    await registerSchedules(queues, deps.db);

    const ours = (await queues['customer-sync'].getJobSchedulers(0, -1)).filter(
      (s) => s.key === `customer-sync.${store.storeId}`,
    );
    expect(ours).to.have.length(1);
    expect(ours[0]).to.deep.include({ pattern: '15 6 * * *', tz: 'America/New_York' });
  });
});
