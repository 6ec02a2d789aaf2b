import { createServer, type RequestListener, type Server } from 'node:http';

// Shared pieces of the fake vendor servers (one per POS vendor in this folder): seeded people, switchable
// faults, and a start helper that refuses production. They speak each vendor's real shapes and quirks.

/** mulberry32: a tiny seeded PRNG, so every run of a sandbox serves the same people. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'María',
  'José',
  'Ana',
  'Luis',
  'Chloé',
  'Noah',
  'Emma',
  'Liam',
  'Zoë',
  'Søren',
  'Nguyễn',
  'Aoife',
  'Mateo',
  'Olivia',
  'Ethan',
  'Léa',
  'Jürgen',
  'Siobhán',
  'Ava',
  'Lucas',
];
const LAST = [
  'García',
  'Núñez',
  'Smith',
  'Johnson',
  'Müller',
  'Dubois',
  'Tran',
  "O'Brien",
  'Rossi',
  'Kowalski',
  'Brown',
  'Martínez',
  'Nguyen',
  'Walsh',
  'Fischer',
  'Lefèvre',
  'Silva',
  'Jones',
  'Taylor',
  'Lee',
];

/** A person as every sandbox stores it before mapping it into its vendor's shape. */
export interface SandboxPerson {
  /** 0-based position; sandboxes derive their vendor ids from it. */
  index: number;
  firstName: string;
  lastName: string;
  birthday: string;
  email: string;
  /** 10 US digits, no formatting. */
  phone: string;
  driversLicense: string;
  medical: boolean;
  medicalCard: string | null;
  loyaltyPoints: number;
  /** Spread over the last 400 days, oldest first. */
  modifiedAt: Date;
}

export function sandboxPeople(count: number, seed = 4242, now = new Date('2026-11-01T12:00:00Z')): SandboxPerson[] {
  const rand = seededRandom(seed);
  const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)];
  const people: SandboxPerson[] = [];
  for (let index = 0; index < count; index++) {
    const firstName = pick(FIRST);
    const lastName = pick(LAST);
    const year = 1950 + Math.floor(rand() * 55);
    const month = 1 + Math.floor(rand() * 12);
    const day = 1 + Math.floor(rand() * 28);
    const ascii = `${firstName}.${lastName}`
      .normalize('NFD')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    const medical = rand() < 0.25;
    people.push({
      index,
      firstName,
      lastName,
      birthday: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      email: `${ascii}.${index}@sandbox.example`,
      phone: `415${String(2000000 + index).padStart(7, '0')}`,
      driversLicense: `D${String(1000000 + index)}`,
      medical,
      medicalCard: medical ? `MMJ${String(500000 + index)}` : null,
      loyaltyPoints: Math.floor(rand() * 500),
      modifiedAt: new Date(
        now.getTime() - (count - index) * Math.max(1, Math.floor((400 * 86_400_000) / Math.max(count, 1))),
      ),
    });
  }
  return people;
}

export type SandboxFault = 'none' | 'rate-limit' | 'error-then-ok' | 'slow' | 'malformed' | 'down';

/**
 * Faults switched at run time (tests, demos): `rate-limit` answers 429 once per request sequence,
 * `error-then-ok` one 500 then normal, `slow` delays each answer, `malformed` breaks the body shape,
 * `down` refuses with 503. Each sandbox decides how its vendor words these.
 */
export class FaultSwitch {
  private fault: SandboxFault = 'none';
  private pendingOnce = false;
  slowMs = 3000;

  set(fault: SandboxFault): void {
    this.fault = fault;
    this.pendingOnce = fault === 'rate-limit' || fault === 'error-then-ok';
  }

  get current(): SandboxFault {
    return this.fault;
  }

  /** The fault to apply to this request; one-shot faults clear themselves. */
  take(): SandboxFault {
    if (this.fault === 'rate-limit' || this.fault === 'error-then-ok') {
      if (!this.pendingOnce) return 'none';
      this.pendingOnce = false;
    }
    return this.fault;
  }
}

export interface RunningSandbox {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts a sandbox on 127.0.0.1 (port 0 = any free port). Never in production. */
export async function startSandboxServer(
  handler: RequestListener,
  options: { port?: number; production: boolean },
): Promise<RunningSandbox> {
  if (options.production) throw new Error('sandbox vendors never run in production');
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
