import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import nock from 'nock';
import { postWebhook, type WebhookRequest } from '../../integrations/events/webhook-sender.js';

describe('webhook sender', () => {
  const pinned = [{ address: '93.184.216.34', family: 4 }];
  const base = (overrides: Partial<WebhookRequest> = {}): WebhookRequest => ({
    url: 'https://hooks.example.com/in',
    body: '{"id":"e1"}',
    headers: { 'Content-Type': 'application/json', 'Patron-Event-Id': 'e1' },
    addresses: pinned,
    timeoutMs: 2000,
    ...overrides,
  });

  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());

  it('sends the body and headers as given and calls any 2xx delivered', async () => {
    let seen: { body: string; type: string | null; id: string | null } | undefined;
    nock('https://hooks.example.com')
      .post('/in')
      .reply(async (req: Request) => {
        seen = {
          body: await req.text(),
          type: req.headers.get('content-type'),
          id: req.headers.get('patron-event-id'),
        };
        return [202, ''];
      });
    const outcome = await postWebhook(base());
    expect(outcome).to.include({ delivered: true, statusCode: 202, error: null });
    expect(seen).to.deep.equal({ body: '{"id":"e1"}', type: 'application/json', id: 'e1' });
  });

  it('reports a non-2xx, a redirect (not followed), a refused connection and a timeout without throwing', async () => {
    nock('https://hooks.example.com').post('/in').reply(500, 'stack trace with secrets');
    nock('https://hooks.example.com').post('/in').reply(302, '', { Location: 'https://169.254.169.254/' });
    nock('https://hooks.example.com')
      .post('/in')
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED 93.184.216.34:443'), { code: 'ECONNREFUSED' }));
    nock('https://hooks.example.com').post('/in').delay(2000).reply(200);

    expect(await postWebhook(base())).to.include({ delivered: false, statusCode: 500, error: 'receiver answered 500' });
    expect(await postWebhook(base())).to.include({
      delivered: false,
      statusCode: 302,
      error: 'receiver answered 302; redirects are not followed',
    });
    expect(await postWebhook(base())).to.include({ delivered: false, statusCode: null, error: 'connection refused' });
    expect(await postWebhook(base({ timeoutMs: 50 }))).to.include({
      delivered: false,
      statusCode: null,
      error: 'no answer within 50 ms',
    });
    expect(nock.pendingMocks()).to.deep.equal([]);
  });

  describe('against a real socket', () => {
    let server: Server;
    let port: number;
    const requests: Array<{ host: string | undefined; path: string | undefined }> = [];

    before(async () => {
      server = createServer((req: IncomingMessage, res) => {
        requests.push({ host: req.headers.host, path: req.url });
        req.resume();
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('x'.repeat(1024 * 1024)); // a large body: never read
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      nock.enableNetConnect((host) => host.startsWith('receiver.invalid'));
    });
    after(async () => {
      nock.disableNetConnect();
      await new Promise((resolve) => server.close(resolve));
    });

    it('connects only to the pinned addresses, whatever the name would resolve to', async () => {
      // receiver.invalid resolves nowhere (RFC 6761): reaching the server proves no lookup happened.
      const outcome = await postWebhook(
        base({ url: `http://receiver.invalid:${port}/in`, addresses: [{ address: '127.0.0.1', family: 4 }] }),
      );
      expect(outcome).to.include({ delivered: true, statusCode: 200 });
      expect(requests).to.deep.equal([{ host: `receiver.invalid:${port}`, path: '/in' }]);
    });
  });
});
