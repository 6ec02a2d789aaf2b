import { createHash } from 'node:crypto';

// Planning a counter search (customers with fifteen indexes and row-level security, its tags, addresses
// and refs folded in) costs PostgreSQL ~0.7 ms, three times what running it does. A statement marked
// `reusePlan` is PREPAREd once per connection and EXECUTEd from then on, inside the same simple-protocol
// message as the tenant setting, so the read stays one round trip. The message asks for generic plans
// (plan_cache_mode, local to its transaction: statements sent as text are planned each time anyway), so
// a plan is made once per connection, not for each of the first five runs as PostgreSQL would by
// default. Only for statements whose plan does not depend on their values (equality on ids and
// identifiers): a LIKE prefix needs its constant to use an index, so name searches are planned each time.

/** Prepared statements a connection may hold before they are all deallocated (distinct shapes are few). */
export const MAX_PLANS_PER_CONNECTION = 100;

interface ConnectionPlans {
  names: Set<string>;
  /** A message that used prepared statements failed: which of them exist is unknown. */
  unsure: boolean;
}

const byConnection = new WeakMap<object, ConnectionPlans>();
const GENERIC_PLANS = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`;
const names = new Map<string, string>();

/** The statement's name: a digest of its text, so one text is prepared once per connection. */
export function planName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    if (names.size >= 1000) names.clear();
    name = `patron_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * The statements of one message on one connection: `prelude` first, then each `run`'s texts. Call
 * `succeeded` or `failed` once the message has answered.
 */
export function planMessage(connection: object) {
  let plans = byConnection.get(connection);
  if (!plans) {
    plans = { names: new Set(), unsure: false };
    byConnection.set(connection, plans);
  }
  const state = plans;
  const prelude: string[] = [];
  if (state.unsure || state.names.size >= MAX_PLANS_PER_CONNECTION) {
    prelude.push('DEALLOCATE ALL');
    state.names.clear();
    state.unsure = false;
  }
  const preparing = new Set<string>();
  let used = false;
  return {
    prelude,
    /**
     * EXECUTE of the statement with its values as SQL text, last; before it, its PREPARE when this
     * connection lacks it, and the message's first asks for generic plans.
     */
    run(sql: string, values: readonly string[]): string[] {
      const name = planName(sql);
      const texts = used ? [] : [GENERIC_PLANS];
      used = true;
      if (!state.names.has(name) && !preparing.has(name)) {
        preparing.add(name);
        texts.push(`PREPARE ${name} AS ${sql}`);
      }
      texts.push(values.length > 0 ? `EXECUTE ${name}(${values.join(', ')})` : `EXECUTE ${name}`);
      return texts;
    },
    succeeded(): void {
      for (const name of preparing) state.names.add(name);
    },
    failed(): void {
      if (used) state.unsure = true;
    },
  };
}

/**
 * Errors after which the same read succeeds when sent again: a prepared statement gone (a reset
 * connection), or one whose result type a migration changed ("cached plan must not change result type").
 */
export function replanAndRetry(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '26000' || code === '0A000' || code === '42P05';
}
