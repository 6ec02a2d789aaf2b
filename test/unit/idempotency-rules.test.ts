import { expect } from 'chai';
import {
  canonicalJson,
  decideExistingKey,
  isStorableStatus,
  isValidIdempotencyKey,
  requestFingerprint,
} from '../../db/idempotency/idempotency-rules.js';

describe('idempotency rules', () => {
  describe('canonical JSON', () => {
    it('sorts object keys at every depth', () => {
      expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 2 } })).to.equal(
        canonicalJson({ a: { c: 2, d: [{ y: 2, z: 1 }] }, b: 1 }),
      );
      expect(canonicalJson({ b: 1, a: 2 })).to.equal('{"a":2,"b":1}');
    });

    it('keeps array order, which carries meaning', () => {
      expect(canonicalJson([1, 2])).to.not.equal(canonicalJson([2, 1]));
    });

    it('drops undefined properties and writes dates as JSON does', () => {
      expect(canonicalJson({ a: undefined, d: new Date('2026-01-01T00:00:00.000Z') })).to.equal(
        '{"d":"2026-01-01T00:00:00.000Z"}',
      );
      expect(canonicalJson(undefined)).to.equal('null');
    });
  });

  describe('request fingerprint', () => {
    const base = { method: 'post', path: '/api/v1/stores/s1/test', query: { a: true }, body: { x: 1, y: [1, 2] } };

    it('is the same for the same request in any key order', () => {
      expect(requestFingerprint(base)).to.equal(
        requestFingerprint({ ...base, method: 'POST', body: { y: [1, 2], x: 1 } }),
      );
      expect(requestFingerprint(base)).to.match(/^[0-9a-f]{64}$/);
    });

    it('changes with the method, the path, the query or the body', () => {
      const original = requestFingerprint(base);
      expect(requestFingerprint({ ...base, method: 'PUT' })).to.not.equal(original);
      expect(requestFingerprint({ ...base, path: '/api/v1/stores/s2/test' })).to.not.equal(original);
      expect(requestFingerprint({ ...base, query: { a: false } })).to.not.equal(original);
      expect(requestFingerprint({ ...base, body: { x: 2, y: [1, 2] } })).to.not.equal(original);
    });

    it('does not confuse a path with a body that spells the same characters', () => {
      expect(requestFingerprint({ method: 'POST', path: '/a', query: {}, body: 'b' })).to.not.equal(
        requestFingerprint({ method: 'POST', path: '/ab', query: {}, body: '' }),
      );
    });
  });

  describe('key validity', () => {
    it('accepts 1 to 255 printable characters', () => {
      expect(isValidIdempotencyKey('a')).to.equal(true);
      expect(isValidIdempotencyKey('order 42: retry #1 ~ ok')).to.equal(true);
      expect(isValidIdempotencyKey('k'.repeat(255))).to.equal(true);
    });

    it('refuses an empty key, a key over 255 characters and control or non-ASCII characters', () => {
      expect(isValidIdempotencyKey('')).to.equal(false);
      expect(isValidIdempotencyKey('k'.repeat(256))).to.equal(false);
      expect(isValidIdempotencyKey('a\tb')).to.equal(false);
      expect(isValidIdempotencyKey('clé')).to.equal(false);
    });
  });

  describe('an existing key', () => {
    const hash = 'h1';
    it('is taken over once expired, whatever it held', () => {
      expect(decideExistingKey({ requestHash: 'other', status: 'completed', expired: true }, hash)).to.equal(
        'take_over',
      );
      expect(decideExistingKey({ requestHash: hash, status: 'in_flight', expired: true }, hash)).to.equal('take_over');
    });

    it('is a mismatch for another request, even while in flight', () => {
      expect(decideExistingKey({ requestHash: 'other', status: 'in_flight', expired: false }, hash)).to.equal(
        'mismatch',
      );
    });

    it('is in flight or replayed for the same request', () => {
      expect(decideExistingKey({ requestHash: hash, status: 'in_flight', expired: false }, hash)).to.equal('in_flight');
      expect(decideExistingKey({ requestHash: hash, status: 'completed', expired: false }, hash)).to.equal('replay');
    });
  });

  it('stores 2xx and 4xx answers but not 5xx', () => {
    expect([200, 201, 204, 400, 404, 409, 422].every(isStorableStatus)).to.equal(true);
    expect([500, 502, 503].some(isStorableStatus)).to.equal(false);
  });
});

describe('request fingerprint with an uploaded file', () => {
  it('differs when the file differs and matches when it is the same', () => {
    const base = {
      method: 'POST',
      path: '/api/v1/stores/s/customers/c/documents',
      query: {},
      body: { type: 'passport' },
    };
    const a = requestFingerprint({ ...base, upload: Buffer.from('file one') });
    expect(a).to.equal(requestFingerprint({ ...base, upload: Buffer.from('file one') }));
    expect(a).to.not.equal(requestFingerprint({ ...base, upload: Buffer.from('file two') }));
    expect(a).to.not.equal(requestFingerprint(base));
  });
});
