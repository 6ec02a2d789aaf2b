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
