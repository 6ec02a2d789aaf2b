import { tmpdir } from 'node:os';

// Loaded by mocha before any test imports config/env.ts: points the service at the test database.
// TEST_DATABASE_NAME lets parallel runs on one machine use separate databases.
const database = process.env.TEST_DATABASE_NAME ?? 'patron_test';
process.env.NODE_ENV = 'test';
process.env.DATABASE_URL ??= `postgres://patron_app:patron_app@127.0.0.1:5432/${database}`;
process.env.DATABASE_OWNER_URL ??= `postgres://postgres@127.0.0.1:5432/${database}`;
process.env.REDIS_PREFIX ??= `patron-test-${database}`;
process.env.LOG_LEVEL ??= 'warn';
process.env.SEED_DEMO ??= 'false';
// Uploaded files of a test run go to a temporary directory, not the repository's var/.
process.env.STORAGE_DIR ??= `${tmpdir()}/patron-test-storage-${database}`;
