import { expect } from 'chai';
import {
  generateWebhookSecret,
  normaliseEventTypes,
  retryDelayAfter,
  WEBHOOK_RETRY_DELAYS_MS,
  WEBHOOK_RETRY_WINDOW_MS,
  wireEnvelope,
} from '../../db/webhooks/webhook-rules.js';
import type { EventEnvelope } from '../../db/outbox/event-envelope.js';

describe('webhook rules', () => {
  it('retries a failing delivery with growing waits that end exactly 24 h after the first attempt', () => {
    const total = WEBHOOK_RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0);
    expect(total).to.equal(24 * 3600 * 1000);
    expect(WEBHOOK_RETRY_WINDOW_MS).to.equal(total);
    expect(WEBHOOK_RETRY_DELAYS_MS[0]).to.be.at.most(10_000); // a blip is retried within seconds
    for (let i = 1; i < WEBHOOK_RETRY_DELAYS_MS.length; i++) {
      expect(WEBHOOK_RETRY_DELAYS_MS[i]).to.be.at.least(WEBHOOK_RETRY_DELAYS_MS[i - 1]);
    }
  });

  it('gives the wait after each failure, then null once the schedule is spent', () => {
    const n = WEBHOOK_RETRY_DELAYS_MS.length;
    expect(retryDelayAfter(1)).to.equal(WEBHOOK_RETRY_DELAYS_MS[0]);
    expect(retryDelayAfter(n)).to.equal(WEBHOOK_RETRY_DELAYS_MS[n - 1]);
    expect(retryDelayAfter(n + 1)).to.equal(null);
    expect(retryDelayAfter(1, [0, 0])).to.equal(0);
    expect(retryDelayAfter(3, [0, 0])).to.equal(null);
    expect(retryDelayAfter(1, [])).to.equal(null);
  });

  it('keeps * alone and each event type once', () => {
    expect(normaliseEventTypes(['customer.created', '*'])).to.deep.equal(['*']);
    expect(normaliseEventTypes(['order.paid', 'customer.created', 'order.paid'])).to.deep.equal([
      'order.paid',
      'customer.created',
    ]);
  });

  it('makes distinct, recognisable secrets of 32 random bytes', () => {
    const a = generateWebhookSecret();
    expect(a).to.match(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).to.not.equal(a);
  });

  it('sends the envelope keys of API.md in their documented order, and nothing else', () => {
    const stored = {
      traceId: null,
      data: { changedFields: ['email'] },
      subject: { id: 's1', type: 'customer', extra: 'x' },
      storeId: null,
      organizationId: 'o1',
      occurredAt: '2026-11-21T12:00:00.000Z',
      version: 1,
      type: 'customer.updated',
      id: 'e1',
      internal: 'not for receivers',
    } as unknown as EventEnvelope;
    const wire = wireEnvelope(stored);
    expect(Object.keys(wire)).to.deep.equal([
      'id',
      'type',
      'version',
      'occurredAt',
      'organizationId',
      'storeId',
      'subject',
      'data',
      'traceId',
    ]);
    expect(wire.subject).to.deep.equal({ type: 'customer', id: 's1' });
  });
});
