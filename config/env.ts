import Joi from 'joi';

export const DEV_DEFAULTS = {
  jwtSecret: 'dev-only-jwt-secret-change-me-0123456789abcdef',
  sysadminEmail: 'sysadmin@patron.local',
  sysadminPassword: 'patron-sysadmin-dev',
  demoAdminEmail: 'admin@demo.patron.local',
  demoAdminPassword: 'patron-admin-dev',
  piiEncryptionKeys: 'dev1:ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy1sb25nISE=',
  blindIndexKey: 'dev-only-blind-index-key-change-me-0123456789',
} as const;

const schema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'test', 'production').default('development'),
  PORT: Joi.number().port().default(3000),
  LOG_LEVEL: Joi.string().valid('error', 'warn', 'info', 'http', 'debug').default('info'),
  LOG_FORMAT: Joi.string().valid('json', 'pretty').optional(),
  TRUST_PROXY: Joi.alternatives(Joi.boolean(), Joi.number().integer().min(0), Joi.string()).default(false),

  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .default('postgres://patron_app:patron_app@127.0.0.1:5432/patron'),
  DATABASE_OWNER_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .default('postgres://postgres@127.0.0.1:5432/patron'),
  DATABASE_POOL_MAX: Joi.number().integer().min(1).max(200).default(10),
  // libpq's variable for session settings at connect; Patron's own (db/knex.ts) are added after it.
  PGOPTIONS: Joi.string().allow('').default(''),

  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: Joi.string()
    .pattern(/^[a-z0-9_-]+$/i)
    .default('patron'),

  JWT_SECRET: Joi.string().min(32).default(DEV_DEFAULTS.jwtSecret),
  JWT_ISSUER: Joi.string().default('patron'),
  JWT_AUDIENCE: Joi.string().default('patron-api'),
  ACCESS_TOKEN_TTL_SECONDS: Joi.number().integer().min(30).max(3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: Joi.number().integer().min(1).max(90).default(30),

  LOGIN_EMAIL_FAILURE_LIMIT: Joi.number().integer().min(1).default(10),
  LOGIN_IP_FAILURE_LIMIT: Joi.number().integer().min(1).default(100),
  LOGIN_WINDOW_MINUTES: Joi.number().integer().min(1).default(15),
  REFRESH_IP_LIMIT: Joi.number().integer().min(1).default(300),

  METRICS_TOKEN: Joi.string().min(16).optional(),

  PII_ENCRYPTION_KEYS: Joi.string()
    .pattern(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44})*$/)
    .message('"PII_ENCRYPTION_KEYS" must be keyId:base64(32 bytes), comma-separated')
    .default(DEV_DEFAULTS.piiEncryptionKeys),
  PII_ENCRYPTION_KEY_ID: Joi.string().optional(),
  BLIND_INDEX_KEY: Joi.string().min(32).default(DEV_DEFAULTS.blindIndexKey),
  STORAGE_DIR: Joi.string().default('var/storage'),
  POS_ALLOWED_HOSTS: Joi.string()
    .pattern(/^[a-z0-9.-]+(,[a-z0-9.-]+)*$/i)
    .message('"POS_ALLOWED_HOSTS" must be host names separated by commas')
    .allow('')
    .default(''),

  RABBITMQ_URL: Joi.string()
    .uri({ scheme: ['amqp', 'amqps'] })
    .default('amqp://guest:guest@127.0.0.1:5672'),
  EVENTS_RABBITMQ: Joi.boolean().default(true),
  OUTBOX_RETENTION_HOURS: Joi.number().integer().min(1).default(168),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: Joi.boolean().when('NODE_ENV', {
    is: 'development',
    then: Joi.boolean().default(true),
    otherwise: Joi.boolean().default(false),
  }),

  SEED_DEMO: Joi.boolean().when('NODE_ENV', {
    is: 'production',
    then: Joi.boolean().default(false),
    otherwise: Joi.boolean().default(true),
  }),
  BOOTSTRAP_SYSADMIN_EMAIL: Joi.string().email({ tlds: false }).default(DEV_DEFAULTS.sysadminEmail),
  BOOTSTRAP_SYSADMIN_PASSWORD: Joi.string().min(12).default(DEV_DEFAULTS.sysadminPassword),
  DEMO_ADMIN_EMAIL: Joi.string().email({ tlds: false }).default(DEV_DEFAULTS.demoAdminEmail),
  DEMO_ADMIN_PASSWORD: Joi.string().min(12).default(DEV_DEFAULTS.demoAdminPassword),

  SANDBOX_VENDORS: Joi.boolean().when('NODE_ENV', {
    is: 'development',
    then: Joi.boolean().default(true),
    otherwise: Joi.boolean().default(false),
  }),
  SANDBOX_PORT_BASE: Joi.number().integer().min(1024).max(65530).default(4100),
}).unknown(true);

export interface Config {
  env: 'development' | 'test' | 'production';
  isProduction: boolean;
  port: number;
  log: { level: string; format: 'json' | 'pretty' };
  trustProxy: boolean | number | string;
  db: { url: string; ownerUrl: string; poolMax: number; sessionOptions: string };
  redis: { url: string; prefix: string };
  auth: {
    jwtSecret: string;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    loginEmailFailureLimit: number;
    loginIpFailureLimit: number;
    loginWindowMinutes: number;
    refreshIpLimit: number;
  };
  metricsToken: string | undefined;
  pii: { keys: Record<string, Buffer>; currentKeyId: string; blindIndexKey: string };
  storage: { dir: string };
  /** Hosts a store's POS baseUrl/authUrl may name besides each vendor's own (still never private addresses). */
  posAllowedHosts: readonly string[];
  events: {
    rabbitmqUrl: string;
    /** Publish outbox events to the `patron.events` exchange (off: RabbitMQ is not a sink). */
    rabbitmq: boolean;
    /** Published outbox rows older than this are pruned. */
    outboxRetentionHours: number;
  };
  /** Webhook URLs on loopback or private addresses are refused unless this is set (development only). */
  webhooks: { allowPrivateTargets: boolean };
  bootstrap: {
    seedDemo: boolean;
    sysadminEmail: string;
    sysadminPassword: string;
    demoAdminEmail: string;
    demoAdminPassword: string;
  };
  /** Fake POS vendors served by `npm start` on 127.0.0.1, ports portBase…portBase+4; never in production. */
  sandbox: { vendors: boolean; portBase: number };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment, reporting every problem at once. */
export function loadConfig(source: NodeJS.ProcessEnv): Readonly<Config> {
  const { value: v, error } = schema.validate(source, { abortEarly: false, convert: true });
  const problems = error ? error.details.map((d) => d.message) : [];

  if (v.NODE_ENV === 'production') {
    const refused: Array<[string, string]> = [
      ['JWT_SECRET', DEV_DEFAULTS.jwtSecret],
      ['BOOTSTRAP_SYSADMIN_PASSWORD', DEV_DEFAULTS.sysadminPassword],
      ['DEMO_ADMIN_PASSWORD', DEV_DEFAULTS.demoAdminPassword],
      ['PII_ENCRYPTION_KEYS', DEV_DEFAULTS.piiEncryptionKeys],
      ['BLIND_INDEX_KEY', DEV_DEFAULTS.blindIndexKey],
    ];
    for (const [name, devValue] of refused) {
      if (v[name] === devValue)
        problems.push(`"${name}" must be set in production (the development default is refused)`);
    }
    if (v.WEBHOOK_ALLOW_PRIVATE_TARGETS === true)
      problems.push('"WEBHOOK_ALLOW_PRIVATE_TARGETS" is refused in production (webhooks to private addresses)');
    if (v.SANDBOX_VENDORS === true) problems.push('"SANDBOX_VENDORS" is refused in production (fake POS vendors)');
  }
  const keys = parseKeys(v.PII_ENCRYPTION_KEYS ?? '', problems);
  const currentKeyId = v.PII_ENCRYPTION_KEY_ID ?? Object.keys(keys)[0];
  if (currentKeyId && !keys[currentKeyId]) problems.push(`"PII_ENCRYPTION_KEY_ID" names no key in PII_ENCRYPTION_KEYS`);
  if (problems.length > 0) throw new ConfigError(problems);

  return deepFreeze({
    env: v.NODE_ENV,
    isProduction: v.NODE_ENV === 'production',
    port: v.PORT,
    log: { level: v.LOG_LEVEL, format: v.LOG_FORMAT ?? (v.NODE_ENV === 'development' ? 'pretty' : 'json') },
    trustProxy: v.TRUST_PROXY,
    db: {
      url: v.DATABASE_URL,
      ownerUrl: v.DATABASE_OWNER_URL,
      poolMax: v.DATABASE_POOL_MAX,
      sessionOptions: v.PGOPTIONS,
    },
    redis: { url: v.REDIS_URL, prefix: v.REDIS_PREFIX },
    auth: {
      jwtSecret: v.JWT_SECRET,
      issuer: v.JWT_ISSUER,
      audience: v.JWT_AUDIENCE,
      accessTokenTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: v.REFRESH_TOKEN_TTL_DAYS,
      loginEmailFailureLimit: v.LOGIN_EMAIL_FAILURE_LIMIT,
      loginIpFailureLimit: v.LOGIN_IP_FAILURE_LIMIT,
      loginWindowMinutes: v.LOGIN_WINDOW_MINUTES,
      refreshIpLimit: v.REFRESH_IP_LIMIT,
    },
    metricsToken: v.METRICS_TOKEN,
    pii: { keys, currentKeyId, blindIndexKey: v.BLIND_INDEX_KEY },
    storage: { dir: v.STORAGE_DIR },
    posAllowedHosts: v.POS_ALLOWED_HOSTS.split(',')
      .filter(Boolean)
      .map((h: string) => h.toLowerCase()),
    events: {
      rabbitmqUrl: v.RABBITMQ_URL,
      rabbitmq: v.EVENTS_RABBITMQ,
      outboxRetentionHours: v.OUTBOX_RETENTION_HOURS,
    },
    webhooks: { allowPrivateTargets: v.WEBHOOK_ALLOW_PRIVATE_TARGETS },
    bootstrap: {
      seedDemo: v.SEED_DEMO,
      sysadminEmail: v.BOOTSTRAP_SYSADMIN_EMAIL.toLowerCase(),
      sysadminPassword: v.BOOTSTRAP_SYSADMIN_PASSWORD,
      demoAdminEmail: v.DEMO_ADMIN_EMAIL.toLowerCase(),
      demoAdminPassword: v.DEMO_ADMIN_PASSWORD,
    },
    sandbox: { vendors: v.SANDBOX_VENDORS, portBase: v.SANDBOX_PORT_BASE },
  });
}

/** `id:base64,id:base64` → key id → 32-byte key; several keys let old ciphertexts be read after a rotation. */
function parseKeys(value: string, problems: string[]): Record<string, Buffer> {
  const keys: Record<string, Buffer> = {};
  for (const entry of value.split(',').filter(Boolean)) {
    const [id, b64] = entry.split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (key.length !== 32) problems.push(`"PII_ENCRYPTION_KEYS" key "${id}" must be 32 bytes (base64)`);
    else keys[id] = key;
  }
  return keys;
}

function deepFreeze<T extends object>(o: T): T {
  for (const value of Object.values(o)) {
    if (value && typeof value === 'object' && !Buffer.isBuffer(value)) deepFreeze(value as object);
  }
  return Object.freeze(o);
}

function loadOrExit(): Readonly<Config> {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

export const config = loadOrExit();
