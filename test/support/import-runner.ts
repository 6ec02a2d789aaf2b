import { expect } from 'chai';
import type { Express } from 'express';
import type { Job } from 'bullmq';
import request from 'supertest';
import { config } from '../../config/env.js';
import type { Db } from '../../db/knex.js';
import type { Redis } from 'ioredis';
import { createLocalFileStorage } from '../../integrations/storage/local-file-storage.js';
import { customerImportProcessor } from '../../jobs/processors/customer-import.js';
import { createQueue, jobId, type QueuePayloads } from '../../jobs/queues.js';
import { runJob } from '../../jobs/run-job.js';

// The CSV import as the import tests drive it: upload through the API, then the job's processor run here
// on the stored file (a fake Job; the queued one is removed), then the record as GET answers it.

type Payload = QueuePayloads['customer-import'];

export interface ImportCaller {
  storeId: string;
  orgId: string;
  headers: Record<string, string>;
}

export function importRunner(app: Express, deps: { db: Db; redis: Redis }, caller: () => ImportCaller) {
  const queue = createQueue('customer-import', deps.redis);
  const processor = runJob(customerImportProcessor(deps.db, createLocalFileStorage(config.storage.dir)));
  /** Every progress value the processor reported, in order. */
  const progress: unknown[] = [];
  const importsPath = () => `/api/v1/stores/${caller().storeId}/customer-imports`;

  const fakeJob = (data: Payload) =>
    ({
      id: jobId('customer-import', data.importId),
      data,
      attemptsMade: 0,
      opts: { attempts: 1 },
      updateProgress: async (p: unknown) => {
        progress.push(p);
      },
    }) as unknown as Job<Payload>;

  function upload(body: Buffer | string, name = 'customers.csv') {
    return request(app)
      .post(importsPath())
      .set(caller().headers)
      .attach('file', Buffer.isBuffer(body) ? body : Buffer.from(body), { filename: name, contentType: 'text/csv' });
  }

  /** Uploads, runs the job's processor on the stored file, and answers the import as GET shows it. */
  async function importFile(body: Buffer | string, name?: string) {
    const { storeId, orgId, headers } = caller();
    const started = await upload(body, name);
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    await (await queue.getJob(jobId('customer-import', started.body.id)))?.remove();
    await processor(fakeJob({ importId: started.body.id, storeId, orgId }));
    const done = await request(app).get(`${importsPath()}/${started.body.id}`).set(headers);
    expect(done.status).to.equal(200);
    return done.body;
  }

  return { queue, progress, importsPath, upload, importFile, close: () => queue.close() };
}
