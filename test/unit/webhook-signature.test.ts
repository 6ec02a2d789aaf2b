import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { signatureHeader, verifyWebhookSignature } from '../../integrations/events/webhook-signature.js';

describe('webhook signature', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"e1","type":"customer.created"}';
  const at = new Date('2026-11-21T12:00:00Z');
  const t = Math.floor(at.getTime() / 1000);

  it('is HMAC-SHA256 in hex over "<timestamp>.<body>", as t=<timestamp>,v1=<hex>', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signatureHeader(secret, t, body)).to.equal(`t=${t},v1=${expected}`);
  });

  it('verifies its own header and refuses another secret, an edited body or timestamp, and a stale one', () => {
    const header = signatureHeader(secret, t, body);
    expect(verifyWebhookSignature(secret, header, body, { now: at })).to.equal(true);
    expect(verifyWebhookSignature('whsec_other', header, body, { now: at })).to.equal(false);
    expect(verifyWebhookSignature(secret, header, body.replace('created', 'deleted'), { now: at })).to.equal(false);
    expect(verifyWebhookSignature(secret, header.replace(`t=${t}`, `t=${t + 1}`), body, { now: at })).to.equal(false);
    expect(verifyWebhookSignature(secret, header, body, { now: new Date(at.getTime() + 301_000) })).to.equal(false);
    expect(verifyWebhookSignature(secret, header, body, { now: new Date(at.getTime() + 299_000) })).to.equal(true);
  });

  it('accepts any of several v1 signatures and refuses malformed headers', () => {
    const good = signatureHeader(secret, t, body).split(',')[1];
    expect(verifyWebhookSignature(secret, `t=${t},v1=${'0'.repeat(64)},${good}`, body, { now: at })).to.equal(true);
    for (const header of ['', 'garbage', `t=${t}`, `v1=${'a'.repeat(64)}`, `t=abc,${good}`, `t=${t},v1=zz`]) {
      expect(verifyWebhookSignature(secret, header, body, { now: at }), header).to.equal(false);
    }
  });
});
