import { expect } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger } from '../../config/logger.js';
import { runWithLogContext } from '../../config/log-context.js';
import { REDACTED, redact, scrubString } from '../../config/redact.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({
    level: 'debug',
    format: 'json',
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}

describe('log redaction', () => {
  it('blanks values under personal or secret keys at any depth', () => {
    const out = redact({
      password: 'hunter2hunter2',
      user: { email: 'ana@example.com', firstName: 'Ana', lastName: 'Núñez', phone: '+15551234567' },
      driversLicense: { number: 'D1234567' },
      headers: { authorization: 'Bearer abc' },
      refreshToken: 'rt_live_abc',
      count: 3,
    }) as Record<string, any>;
    expect(out.password).to.equal(REDACTED);
    expect(out.user).to.deep.equal({ email: REDACTED, firstName: REDACTED, lastName: REDACTED, phone: REDACTED });
    expect(out.driversLicense).to.equal(REDACTED);
    expect(out.headers.authorization).to.equal(REDACTED);
    expect(out.refreshToken).to.equal(REDACTED);
    expect(out.count).to.equal(3);
  });

  it('scrubs emails, phone numbers, JWTs and API keys inside free text', () => {
    const text = scrubString(
      'mail ana.maria@example.co.uk called (555) 123-4567 with eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc and pk_live_0123456789abcdef_secret',
    );
    expect(text).to.not.match(/ana\.maria|555|eyJhbGci|pk_live_0123/);
    expect(text).to.include('[email]').and.include('[number]').and.include('[jwt]').and.include('[token]');
  });

  it('keeps ids and counts searchable', () => {
    const out = redact({
      orgId: '6b525318-ef16-48a8-8239-2fe3d4a1bbef',
      jobId: 'repeat:purge:1763726234000',
      refreshTokens: 2,
    });
    expect(out).to.deep.equal({
      orgId: '6b525318-ef16-48a8-8239-2fe3d4a1bbef',
      jobId: 'repeat:purge:1763726234000',
      refreshTokens: 2,
    });
  });

  it('never lets PII reach a written log line, even in the message or an error', () => {
    const { logger, lines } = capture();
    logger.info('lookup for jane@example.com', { email: 'jane@example.com', name: 'Jane Roe', licence: 'X99' });
    logger.error('failed', { err: new Error('duplicate key (email)=(jane@example.com)') });
    const written = lines.join('\n');
    expect(lines).to.have.length(2);
    expect(written).to.not.include('jane@example.com').and.not.include('Jane Roe').and.not.include('X99');
  });

  it('adds requestId, orgId and storeId of the running context to each line', () => {
    const { logger, lines } = capture();
    runWithLogContext({ requestId: 'req-1', orgId: 'org-1', storeId: 'store-1' }, () => logger.info('hello'));
    expect(JSON.parse(lines[0])).to.include({
      requestId: 'req-1',
      orgId: 'org-1',
      storeId: 'store-1',
      message: 'hello',
    });
  });
});
