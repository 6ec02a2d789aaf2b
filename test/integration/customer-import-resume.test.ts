import { expect } from 'chai';
import type { Job } from 'bullmq';
import { config } from '../../config/env.js';
import { createLocalFileStorage } from '../../integrations/storage/local-file-storage.js';
import { customerImportProcessor } from '../../jobs/processors/customer-import.js';
import { jobId, type QueuePayloads } from '../../jobs/queues.js';
import { runJob } from '../../jobs/run-job.js';
import { bearer, createTenant, tokenFor } from '../support/fixtures.js';
import { importRunner } from '../support/import-runner.js';
import { testContext } from '../support/test-context.js';

// Batches are written two at a time and may commit out of file order, so an import killed between two
// commits has written, say, its first and third thousand records but not the second. The records each
// batch wrote are kept with the import; a resumed job writes exactly the others.

describe('customer import: resuming after batches committed out of order', function () {
  this.timeout(60_000);
  const { app, deps, owner } = testContext();
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let manager: Record<string, string>;
  const runner = importRunner(app, deps, () => ({ storeId: tenant.storeA.id, orgId: tenant.org.id, headers: manager }));

  before(async () => {
    tenant = await createTenant();
    manager = bearer(await tokenFor(tenant.manager));
  });
  after(async () => {
    await runner.close();
  });

  const csv = (rows: number) =>
    'first_name,last_name,email\n' +
    Array.from({ length: rows }, (_, i) => `Rea${i},Sume,r${i + 1}@resume.example`).join('\n') +
    '\n';

  it('writes only the records no batch wrote, and ends with every record written once', async () => {
    const started = await runner.upload(csv(3_500));
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    await (await runner.queue.getJob(jobId('customer-import', started.body.id)))?.remove();
    // As an attempt leaves it that wrote records 1–1,000 and 2,001–3,000 (their customers are not made
    // here: what the resumed job creates shows which records it wrote).
    await owner('customer_imports')
      .where({ id: started.body.id })
      .update({ records_written: '{[1,1001),[2001,3001)}', rows_done: 2_000, created_count: 2_000 });

    await runJob(customerImportProcessor(deps.db, createLocalFileStorage(config.storage.dir)))({
      id: 'resume-test',
      data: { importId: started.body.id, storeId: tenant.storeA.id, orgId: tenant.org.id },
      attemptsMade: 0,
      opts: { attempts: 1 },
      updateProgress: async () => undefined,
    } as unknown as Job<QueuePayloads['customer-import']>);

    const emails = await owner('customers').where({ store_id: tenant.storeA.id }).pluck('email');
    const numbers = emails.map((e: string) => Number(/^r(\d+)@/.exec(e)![1])).sort((a: number, b: number) => a - b);
    const expected = [
      ...Array.from({ length: 1_000 }, (_, i) => 1_001 + i),
      ...Array.from({ length: 500 }, (_, i) => 3_001 + i),
    ];
    expect(numbers).to.deep.equal(expected);

    const record = await owner('customer_imports').where({ id: started.body.id }).first();
    expect(record.records_written).to.equal('{[1,3501)}');
    expect(record).to.include({ status: 'finished', rows_done: 3_500, created_count: 3_500 });
  });
});
