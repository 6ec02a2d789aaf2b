import { expect } from 'chai';
import request from 'supertest';
import { testContext } from '../support/test-context.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** What express really routes, read from its router, not from our route list. */
function mountedOperations(): string[] {
  const { app } = testContext();
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const ops: string[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) {
      if (method === '_all') continue;
      ops.push(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return ops.sort();
}

describe('/openapi.json', () => {
  const { app } = testContext();

  it('documents exactly the routes the server mounts, with full paths', async () => {
    const res = await request(app).get('/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.equal('3.1.0');
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).to.deep.equal(mountedOperations());
    expect(
      documented
        .filter((op) => !/ \/(healthz|readyz|metrics|openapi\.json|docs)$/.test(op))
        .every((op) => op.includes(' /api/v1/')),
    ).to.equal(true);
  });

  it('describes request bodies and parameters from the validating joi schemas', async () => {
    const { body } = await request(app).get('/openapi.json');
    const login = body.paths['/api/v1/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).to.include.members(['email', 'password']);
    const patchStore = body.paths['/api/v1/stores/{storeId}'].patch;
    expect(patchStore.parameters.map((p: { name: string }) => p.name)).to.include('storeId');
    expect(patchStore.security).to.deep.equal([{ bearer: [] }]);
    const listUsers = body.paths['/api/v1/users'].get;
    const limit = listUsers.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema).to.include({ minimum: 1, maximum: 100, default: 25 });
  });

  it('renders at /docs with its assets served locally', async () => {
    const page = await request(app).get('/docs');
    expect(page.status).to.equal(200);
    expect(page.headers['content-type']).to.match(/text\/html/);
    expect(page.text).to.include('swagger-ui');
    const init = await request(app).get('/docs/swagger-ui-init.js');
    expect(init.status).to.equal(200);
    expect(init.text).to.include('/openapi.json');
    const css = await request(app).get('/docs/swagger-ui.css');
    expect(css.status).to.equal(200);
  });

  it('exposes Prometheus metrics with request durations labelled by route template', async () => {
    await request(app).get('/healthz');
    const res = await request(app).get('/metrics');
    expect(res.status).to.equal(200);
    expect(res.text).to.match(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(res.text).to.include('process_cpu_user_seconds_total');
  });
});
