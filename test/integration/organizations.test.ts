import { expect } from 'chai';
import request from 'supertest';
import { bearer, createSysadmin, createTenant, tokenFor, uniqueEmail } from '../support/fixtures.js';
import { testContext } from '../support/test-context.js';

describe('organizations', () => {
  const { app, routes, owner } = testContext();
  const loginMounted = routes.some((r) => r.method === 'post' && r.path === '/api/v1/auth/login');

  async function sysadminAuth() {
    return bearer(await tokenFor(await createSysadmin()));
  }

  it('lets a sysadmin create an organisation', async () => {
    const res = await request(app)
      .post('/api/v1/organizations')
      .set(await sysadminAuth())
      .send({ name: '  Green Leaf Co  ' });
    expect(res.status).to.equal(201);
    expect(res.body).to.have.all.keys('id', 'name', 'createdAt', 'updatedAt');
    expect(res.body.name).to.equal('Green Leaf Co');
    expect(await owner('organizations').where({ id: res.body.id })).to.have.length(1);
  });

  it('refuses an empty or overlong name, reporting the problem', async () => {
    const auth = await sysadminAuth();
    for (const name of ['', 'x'.repeat(201)]) {
      const res = await request(app).post('/api/v1/organizations').set(auth).send({ name });
      expect(res.status).to.equal(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['name']);
    }
    const missing = await request(app).post('/api/v1/organizations').set(auth).send({});
    expect(missing.status).to.equal(400);
  });

  it('lists every organisation to a sysadmin, page by page', async () => {
    const auth = await sysadminAuth();
    const a = await createTenant();
    const b = await createTenant();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(app)
        .get('/api/v1/organizations')
        .query(cursor ? { limit: 2, cursor } : { limit: 2 })
        .set(auth);
      expect(res.status).to.equal(200);
      expect(res.body.data.length).to.be.at.most(2);
      seen.push(...res.body.data.map((o: { id: string }) => o.id));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    const total = Number((await owner('organizations').count('* as n'))[0].n);
    expect(seen).to.have.length(total);
    expect(new Set(seen).size).to.equal(total);
    expect(seen).to.include.members([a.org.id, b.org.id]);
    expect(pages).to.be.at.least(Math.ceil(total / 2));
  });

  it('is forbidden (403) to organisation admins and staff', async () => {
    const { admin, staff } = await createTenant();
    for (const user of [admin, staff]) {
      const auth = bearer(await tokenFor(user));
      expect((await request(app).get('/api/v1/organizations').set(auth)).status).to.equal(403);
      const create = await request(app).post('/api/v1/organizations').set(auth).send({ name: 'Mine' });
      expect(create.status).to.equal(403);
    }
    expect(await owner('organizations').where({ name: 'Mine' })).to.have.length(0);
  });

  it('creates an organisation and its first admin, who can then work in it', async () => {
    const auth = await sysadminAuth();
    const org = await request(app).post('/api/v1/organizations').set(auth).send({ name: 'Fresh Org' });
    expect(org.status).to.equal(201);
    const email = uniqueEmail('first-admin');
    const password = 'first admin password';
    const admin = await request(app)
      .post('/api/v1/users')
      .set(auth)
      .send({ email, password, name: 'First Admin', role: 'admin', organizationId: org.body.id });
    expect(admin.status).to.equal(201);
    expect(admin.body).to.include({ organizationId: org.body.id, role: 'admin', email });

    let accessToken: string;
    if (loginMounted) {
      const login = await request(app).post('/api/v1/auth/login').send({ email, password });
      expect(login.status).to.equal(200);
      accessToken = login.body.accessToken;
    } else {
      accessToken = await tokenFor({ id: admin.body.id, orgId: org.body.id, email, password, role: 'admin' });
    }
    const me = await request(app).get('/api/v1/me').set(bearer(accessToken));
    expect(me.status).to.equal(200);
    expect(me.body).to.deep.include({
      organization: { id: org.body.id, name: 'Fresh Org' },
      stores: [],
      role: 'admin',
    });

    const store = await request(app)
      .post('/api/v1/stores')
      .set(bearer(accessToken))
      .send({ name: 'First store', timezone: 'Europe/Berlin', country: 'DE', currency: 'EUR' });
    expect(store.status).to.equal(201);
    expect(store.body.organizationId).to.equal(org.body.id);
  });
});
