import { expect } from 'chai';
import {
  checkWebhookUrl,
  resolveWebhookTarget,
  type AddressLookup,
} from '../../integrations/events/webhook-url-guard.js';

const dns =
  (answers: Record<string, string[]>): AddressLookup =>
  async (hostname) => {
    const found = answers[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const lookup = dns({
  'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'],
  'rebind.example.com': ['127.0.0.1'],
  'half.example.com': ['93.184.216.34', '10.0.0.7'],
  'metadata.example.com': ['169.254.169.254'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
  localhost: ['127.0.0.1'],
});

const production = { allowPrivateTargets: false };
const development = { allowPrivateTargets: true };
const reason = (url: string, options = production) => {
  const check = checkWebhookUrl(url, options);
  return check.ok ? 'ok' : check.reason;
};

describe('webhook URL guard', () => {
  describe('at registration, outside development', () => {
    it('accepts https to a public name or address, with a path, port and query', () => {
      expect(reason('https://hooks.example.com/patron?token=abc')).to.equal('ok');
      expect(reason('https://hooks.example.com:8443/in')).to.equal('ok');
      expect(reason('https://93.184.216.34/in')).to.equal('ok');
      expect(reason('https://[2606:2800:220:1::1]/in')).to.equal('ok');
    });

    it('refuses http and other schemes, credentials and fragments', () => {
      expect(reason('http://hooks.example.com/in')).to.equal('must use https');
      expect(reason('ftp://hooks.example.com/in')).to.equal('must use https');
      expect(reason('https://u:p@hooks.example.com/in')).to.equal('must not carry credentials');
      expect(reason('https://hooks.example.com/in#x')).to.equal('must not carry a fragment');
      expect(reason('hooks.example.com/in')).to.equal('is not a URL');
    });

    it('refuses loopback, private, link-local, metadata and reserved addresses however they are written', () => {
      for (const url of [
        'https://127.0.0.1/',
        'https://127.1/',
        'https://2130706433/',
        'https://0x7f000001/',
        'https://0.0.0.0/',
        'https://10.0.0.1/',
        'https://172.31.255.255/',
        'https://192.168.1.1/',
        'https://100.64.0.1/',
        'https://169.254.169.254/',
        'https://[::1]/',
        'https://[::]/',
        'https://[::ffff:127.0.0.1]/',
        'https://[::ffff:a9fe:a9fe]/',
        'https://[fd12:3456::1]/',
        'https://[fe80::1]/',
        'https://224.0.0.1/',
      ]) {
        expect(reason(url), url).to.equal('is a loopback, private, link-local or reserved address');
      }
    });

    it('refuses names that only resolve inside a network', () => {
      for (const url of [
        'https://localhost/',
        'https://LOCALHOST./',
        'https://app.localhost/',
        'https://printer.local/',
        'https://metadata.google.internal/',
        'https://intranet/',
        'https://router.home.arpa/',
      ]) {
        expect(reason(url), url).to.equal('is not a public host name');
      }
    });
  });

  it('in development, accepts http and private targets (a receiver on the developer machine)', () => {
    expect(reason('http://localhost:4000/hook', development)).to.equal('ok');
    expect(reason('http://127.0.0.1:4000/hook', development)).to.equal('ok');
    expect(reason('https://u:p@localhost/hook', development)).to.equal('must not carry credentials');
  });

  describe('at delivery', () => {
    const resolve = async (url: string, options = production) =>
      resolveWebhookTarget(new URL(url), { ...options, lookup });

    it('answers every resolved address when all are public', async () => {
      expect(await resolve('https://hooks.example.com/in')).to.deep.equal({
        ok: true,
        addresses: [
          { address: '93.184.216.34', family: 4 },
          { address: '2606:2800:220:1::1', family: 6 },
        ],
      });
      expect(await resolve('https://93.184.216.34/in')).to.deep.equal({
        ok: true,
        addresses: [{ address: '93.184.216.34', family: 4 }],
      });
    });

    it('refuses a name resolving to any non-public address (DNS rebinding, metadata, IPv4-mapped loopback)', async () => {
      for (const url of [
        'https://rebind.example.com/',
        'https://half.example.com/',
        'https://metadata.example.com/',
        'https://mapped.example.com/',
      ]) {
        expect(await resolve(url), url).to.deep.equal({ ok: false, reason: 'host resolves to a non-public address' });
      }
      expect(await resolve('https://nowhere.example.com/')).to.deep.equal({
        ok: false,
        reason: 'host does not resolve',
      });
    });

    it('in development, lets a name resolve to loopback', async () => {
      expect(await resolve('http://localhost:4000/', development)).to.deep.equal({
        ok: true,
        addresses: [{ address: '127.0.0.1', family: 4 }],
      });
    });
  });
});
