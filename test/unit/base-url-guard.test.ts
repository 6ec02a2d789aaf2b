import { expect } from 'chai';
import {
  checkPosBaseUrl,
  isPublicAddress,
  type AddressLookup,
  type BaseUrlGuardOptions,
} from '../../integrations/pos/base-url-guard.js';

/** DNS as the test says it is: each name answers with the listed addresses; unknown names fail. */
function dns(answers: Record<string, string[]>): AddressLookup {
  return async (hostname) => {
    const found = answers[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const lookup = dns({
  'api.flowhub.co': ['52.1.2.3'],
  'api.pos.dutchie.com': ['52.1.2.4', '2600:1f18::10'],
  'api-prod.treez.io': ['10.0.0.5'], // as if an attacker controlled the resolver the worker uses
  'api.stage.blaze.me': ['34.5.6.7'],
  'api.partners.blaze.me': ['34.5.6.8', '169.254.169.254'],
  localhost: ['127.0.0.1', '::1'],
  'sandbox.internal': ['192.168.1.20'],
});
const production: BaseUrlGuardOptions = { development: false, lookup };
const development: BaseUrlGuardOptions = { development: true, lookup };

async function reason(provider: Parameters<typeof checkPosBaseUrl>[0], url: string, options = production) {
  const result = await checkPosBaseUrl(provider, url, options);
  return result.ok ? 'ok' : result.reason;
}

describe('POS base URL guard', () => {
  describe('in production', () => {
    it("accepts https to the vendor's documented host", async () => {
      expect(await reason('flowhub', 'https://api.flowhub.co')).to.equal('ok');
      expect(await reason('leaflogix', 'https://API.pos.dutchie.com./')).to.equal('ok');
    });

    it('accepts an allow-listed host (a staging host from onboarding)', async () => {
      const options = { ...production, allowedHosts: ['api.stage.blaze.me'] };
      expect(await reason('blaze', 'https://api.stage.blaze.me/api/v1/partner', options)).to.equal('ok');
      expect(await reason('blaze', 'https://api.stage.blaze.me/api/v1/partner')).to.match(/not a blaze host/);
    });

    it("refuses another vendor's host and unknown hosts", async () => {
      expect(await reason('treez', 'https://api.flowhub.co')).to.match(/not a treez host/);
      expect(await reason('treez', 'https://evil.example.com')).to.match(/does not resolve|not a treez host/);
    });

    it('refuses plain http, credentials in the URL, queries and junk', async () => {
      expect(await reason('flowhub', 'http://api.flowhub.co')).to.equal('must use https');
      expect(await reason('flowhub', 'https://u:p@api.flowhub.co')).to.match(/credentials/);
      expect(await reason('flowhub', 'https://api.flowhub.co/?x=1')).to.match(/query/);
      expect(await reason('flowhub', 'file:///etc/passwd')).to.equal('must use https');
      expect(await reason('flowhub', 'not a url')).to.equal('not a URL');
    });

    it('refuses literal loopback, private, link-local and unique-local addresses', async () => {
      for (const url of [
        'https://127.0.0.1',
        'https://0x7f.1', // 127.0.0.1 once the URL parser is done
        'https://[::1]',
        'https://10.1.2.3',
        'https://172.20.0.1',
        'https://192.168.0.10',
        'https://169.254.169.254',
        'https://[fd00::1]',
        'https://[fe80::1]',
        'https://[::ffff:10.0.0.1]',
      ]) {
        expect(await reason('flowhub', url), url).not.to.equal('ok');
      }
    });

    it('refuses a vendor host whose DNS gives any non-public answer', async () => {
      expect(await reason('treez', 'https://api-prod.treez.io')).to.match(/non-public/);
      expect(await reason('blaze', 'https://api.partners.blaze.me')).to.match(/non-public/);
    });

    it('an allow-list cannot reopen a private address', async () => {
      const options = { ...production, allowedHosts: ['10.1.2.3'] };
      expect(await reason('flowhub', 'https://10.1.2.3', options)).to.match(/non-public/);
    });

    it('refuses loopback even by name', async () => {
      const options = { ...production, allowedHosts: ['localhost'] };
      expect(await reason('flowhub', 'https://localhost:8443', options)).to.match(/non-public/);
    });
  });

  describe('in development', () => {
    it('accepts a sandbox vendor on loopback, over http, by address or name', async () => {
      expect(await reason('treez', 'http://127.0.0.1:4010/treez', development)).to.equal('ok');
      expect(await reason('treez', 'http://localhost:4010', development)).to.equal('ok');
      expect(await reason('treez', 'http://[::1]:4010', development)).to.equal('ok');
    });

    it('still refuses private networks and unknown hosts', async () => {
      expect(await reason('treez', 'http://sandbox.internal', development)).not.to.equal('ok');
      expect(await reason('treez', 'http://10.0.0.9', development)).not.to.equal('ok');
      expect(await reason('treez', 'https://evil.example.com', development)).not.to.equal('ok');
    });
  });

  it('classifies addresses', () => {
    expect(isPublicAddress('8.8.8.8')).to.equal(true);
    expect(isPublicAddress('2606:4700::1111')).to.equal(true);
    for (const ip of ['0.0.0.0', '100.64.0.1', '127.0.0.53', '224.0.0.1', '255.255.255.255', '::', 'fc00::1']) {
      expect(isPublicAddress(ip), ip).to.equal(false);
    }
    expect(isPublicAddress('not-an-ip')).to.equal(false);
  });
});
