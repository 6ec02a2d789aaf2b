import type { Express } from 'express';
import { config } from '../../config/env.js';
import { createDb, type Db } from '../../db/knex.js';
import { buildApp } from '../../server/app.js';
import type { AppDeps } from '../../server/app-deps.js';
import type { RouteDef } from '../../server/http/route.js';
import { closeDeps, createDeps } from '../../server/deps.js';

export interface TestContext {
  app: Express;
  routes: RouteDef[];
  deps: AppDeps;
  /** Connects as the migration owner: bypasses row-level security, for fixtures and assertions only. */
  owner: Db;
}

let current: TestContext | undefined;

/** One in-process app per test run, on the real PostgreSQL and Redis. */
export function testContext(): TestContext {
  if (!current) {
    const deps = createDeps(config);
    const { app, routes } = buildApp(deps);
    current = { app, routes, deps, owner: createDb(config.db.ownerUrl, 4) };
  }
  return current;
}

export async function closeTestContext(): Promise<void> {
  if (!current) return;
  await closeDeps(current.deps);
  await current.owner.destroy();
  current = undefined;
}
