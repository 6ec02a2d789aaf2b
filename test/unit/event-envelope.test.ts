import { expect } from 'chai';
import { AppError } from '../../config/errors.js';
import { assertNoPersonalData, toEnvelope, type OutboxEvent } from '../../db/outbox/event-envelope.js';
import { EVENT_TYPES, isEventType } from '../../db/outbox/event-types.js';

const event: OutboxEvent = {
  id: '5b1f0c1e-0000-4000-8000-000000000001',
  seq: 42,
  organizationId: '5b1f0c1e-0000-4000-8000-000000000002',
  storeId: '5b1f0c1e-0000-4000-8000-000000000003',
  type: 'customer.merged',
  version: 1,
  subject: { type: 'customer', id: '5b1f0c1e-0000-4000-8000-000000000004' },
  data: { sourceId: '5b1f0c1e-0000-4000-8000-000000000005' },
  traceId: 'req-1',
  occurredAt: new Date('2026-01-31T17:04:05.123Z'),
  publishedAt: null,
  attempts: 3,
};

describe('event envelope', () => {
  it('carries exactly the fields of API.md, with an ISO timestamp and version 1', () => {
    expect(toEnvelope(event)).to.deep.equal({
      id: event.id,
      type: 'customer.merged',
      version: 1,
      occurredAt: '2026-01-31T17:04:05.123Z',
      organizationId: event.organizationId,
      storeId: event.storeId,
      subject: { type: 'customer', id: event.subject.id },
      data: { sourceId: '5b1f0c1e-0000-4000-8000-000000000005' },
      traceId: 'req-1',
    });
  });

  it('leaves relay bookkeeping (seq, attempts, publishedAt) out of the envelope', () => {
    const envelope = toEnvelope(event) as unknown as Record<string, unknown>;
    expect(envelope).to.not.have.any.keys('seq', 'attempts', 'publishedAt');
  });

  it('knows every event type of API.md and no other', () => {
    expect(EVENT_TYPES).to.have.lengthOf(17);
    expect(isEventType('customer_import.finished')).to.equal(true);
    expect(isEventType('customer.exploded')).to.equal(false);
  });
});

describe('personal data guard for event data', () => {
  const refused = (data: Record<string, unknown>) => {
    try {
      assertNoPersonalData(data);
    } catch (err) {
      expect(err).to.be.instanceOf(AppError);
      return (err as AppError).details.map((d) => d.path);
    }
    return [];
  };

  it('accepts ids and changed field names, even when a name is a personal field', () => {
    expect(refused({ customerId: 'c1', changedFields: ['email', 'firstName', 'phone'] })).to.deep.equal([]);
  });

  it('refuses personal keys in any spelling', () => {
    expect(refused({ email: 'x', first_name: 'x', LastName: 'x', 'drivers-license': 'x' })).to.deep.equal([
      'email',
      'first_name',
      'LastName',
      'drivers-license',
    ]);
  });

  it('refuses personal keys nested in objects and arrays', () => {
    expect(refused({ customer: { id: 'c1', phone: 'x' }, items: [{ name: 'x' }] })).to.deep.equal([
      'customer.phone',
      'items[0].name',
    ]);
  });

  it('refuses a birthday and a name', () => {
    expect(refused({ birthday: '2000-01-01', name: 'x' })).to.deep.equal(['birthday', 'name']);
  });
});
