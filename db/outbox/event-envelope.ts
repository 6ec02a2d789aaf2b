import { AppError } from '../../config/errors.js';
import type { EventType, SubjectType } from './event-types.js';

export type EventData = Record<string, unknown>;

/** An outbox row as the repository returns it. */
export interface OutboxEvent {
  id: string;
  seq: number;
  organizationId: string;
  storeId: string | null;
  type: EventType;
  version: number;
  subject: { type: SubjectType; id: string };
  data: EventData;
  traceId: string | null;
  occurredAt: Date;
  publishedAt: Date | null;
  attempts: number;
}

/** What sinks receive (API.md "Events"). */
export interface EventEnvelope {
  id: string;
  type: EventType;
  version: 1;
  occurredAt: string;
  organizationId: string;
  storeId: string | null;
  subject: { type: SubjectType; id: string };
  data: EventData;
  traceId: string | null;
}

export function toEnvelope(event: OutboxEvent): EventEnvelope {
  return {
    id: event.id,
    type: event.type,
    version: 1,
    occurredAt: event.occurredAt.toISOString(),
    organizationId: event.organizationId,
    storeId: event.storeId,
    subject: { type: event.subject.type, id: event.subject.id },
    data: event.data,
    traceId: event.traceId,
  };
}

// Compared without case, `_` or `-`: `first_name`, `firstName` and `FirstName` are one key.
const PERSONAL_KEYS = new Set(
  [
    'email',
    'emails',
    'phone',
    'phones',
    'phoneNumber',
    'mobile',
    'name',
    'firstName',
    'middleName',
    'lastName',
    'fullName',
    'displayName',
    'birthday',
    'birthDate',
    'dateOfBirth',
    'dob',
    'driversLicense',
    'licenseNumber',
    'medicalCard',
    'medicalCardNumber',
    'address',
    'addresses',
    'line1',
    'line2',
    'postalCode',
    'zip',
    'password',
    'token',
    'otp',
  ].map(normaliseKey),
);

function normaliseKey(key: string): string {
  return key.replace(/[_-]/g, '').toLowerCase();
}

function findPersonalKeys(value: unknown, path: string, found: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => findPersonalKeys(item, `${path}[${index}]`, found));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${key}` : key;
    if (PERSONAL_KEYS.has(normaliseKey(key))) found.push(itemPath);
    findPersonalKeys(item, itemPath, found);
  }
}

/**
 * Refuses event data that carries obvious personal fields: events leave the service (RabbitMQ,
 * webhooks), so `data` holds ids and changed field names only. Only keys are checked, so
 * `changedFields: ['email']` is fine. A programming error, hence `internal`.
 */
export function assertNoPersonalData(data: EventData): void {
  const found: string[] = [];
  findPersonalKeys(data, '', found);
  if (found.length > 0) {
    throw new AppError('internal', `event data must not carry personal fields: ${found.join(', ')}`, {
      details: found.map((path) => ({ path, message: 'is personal data' })),
    });
  }
}
