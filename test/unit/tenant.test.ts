import { expect } from 'chai';
import { tenantStatement } from '../../db/tenant.js';

describe('tenant statement', () => {
  it('inlines only a well-formed organisation UUID', () => {
    expect(tenantStatement({ orgId: '6B525318-EF16-48A8-8239-2FE3D4A1BBEF' })).to.equal(
      "SELECT set_config('app.org_id', '6b525318-ef16-48a8-8239-2fe3d4a1bbef', true)",
    );
    expect(() => tenantStatement({ orgId: "x', true); drop table users; --" })).to.throw(/UUID/);
  });
});

describe('tenantRead parameters', () => {
  it('refuses a parameter that is not a UUID before anything is sent', async () => {
    const { tenantRead } = await import('../../db/tenant.js');
    const db = { raw: () => expect.fail('nothing may be sent') } as never;
    const orgId = '6b525318-ef16-48a8-8239-2fe3d4a1bbef';
    let error: Error | undefined;
    try {
      await tenantRead(db, { orgId }, 'select 1 where $1 is not null', ["x'); drop table users; --"]);
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.match(/must be a UUID/);
  });
});
