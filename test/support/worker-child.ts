import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

// A test's worker in a process of its own (test/support/*-process.ts), to be SIGTERMed or SIGKILLed:
// started, its output collected, and awaited until it prints `worker-ready`.

export interface WorkerChild {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

export interface WorkerChildOptions {
  /** Extra environment on top of this process's (REDIS_PREFIX, test knobs). */
  env: NodeJS.ProcessEnv;
  /** Sees each piece of standard output and answers what of it to keep in `output()`. */
  onStdout?: (text: string) => string;
}

/** Spawns `script` under tsx and waits (15 s at most) until it says `worker-ready`. */
export async function startWorkerChild(script: string, options: WorkerChildOptions): Promise<WorkerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, LOG_FORMAT: 'json', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output += options.onStdout ? options.onStdout(text) : text;
  });
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }) as Awaited<WorkerChild['exited']>);
  const deadline = Date.now() + 15_000;
  while (!output.includes('worker-ready')) {
    if (child.exitCode !== null) throw new Error(`${script} exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${script} did not start:\n${output}`);
    await sleep(50);
  }
  return { child, exited, output: () => output };
}

/** Polls `probe` until it answers something truthy, and answers that; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 20_000, everyMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
