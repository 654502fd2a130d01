// The OpenAPI document a carrier's integrators read: served without credentials, OpenAPI 3.1, listing
// every route the carrier router serves, the four signing headers and the JSON errors.
import test from 'ava';
import { CATEGORY_CODES } from '../app/protection/preferences';
import { CARRIER_FALLBACK } from '../app/carrier/routes';
import { startCarrierServer } from './support/carrier-server';

test('openapi.json is served unauthenticated and describes every carrier route', async (t) => {
  const s = await startCarrierServer({ db: 'sqlite', store: 'memory' });
  t.teardown(() => s.close());
  const res = await fetch(`${s.url}/carrier/openapi.json`);
  t.is(res.status, 200);
  const doc = (await res.json()) as any;
  t.is(doc.openapi, '3.1.0');

  // Every route the router serves, with its methods, is in the document, and nothing else is.
  const served = new Map<string, Set<string>>();
  // The routes as the composition root mounted them, the complaints route inside the carrier router.
  const routes = s.carrierRoutes;
  for (const layer of routes.stack) {
    if (layer.name === CARRIER_FALLBACK) continue;
    const methods = layer.methods.filter((m: string) => m !== 'HEAD').map((m: string) => m.toLowerCase());
    served.set(layer.path as string, new Set([...(served.get(layer.path as string) ?? []), ...methods]));
  }
  t.deepEqual(Object.keys(doc.paths).sort(), [...served.keys()].sort());
  for (const [path, methods] of served) t.deepEqual(Object.keys(doc.paths[path]).sort(), [...methods].sort(), path);
  t.deepEqual(Object.keys(doc.paths).sort(), ['/carrier/openapi.json', '/carrier/v1/complaints', '/carrier/v1/interceptions', '/carrier/v1/labels', '/carrier/v1/screen', '/carrier/v1/screen/batch']);

  // The signing headers, and the refusals each signed operation can answer.
  const headers = Object.values(doc.components.securitySchemes).map((x: any) => `${x.in}:${x.name}`);
  t.deepEqual(headers.sort(), ['header:X-Key-Id', 'header:X-Nonce', 'header:X-Signature', 'header:X-Timestamp']);
  t.deepEqual(doc.security, [{ KeyId: [], Timestamp: [], Nonce: [], Signature: [] }]);
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    for (const op of Object.values<any>(ops)) {
      if (path === '/carrier/openapi.json') {
        t.deepEqual(op.security, []);
        continue;
      }
      t.truthy(op.responses['401'], path);
      t.truthy(op.responses['429'], path);
      t.truthy(op.responses['200'], path);
    }
  }
  t.truthy(doc.components.responses.RateLimited.headers['Retry-After']);
  t.true(doc.info.description.includes('HMAC-SHA256'));

  // Every $ref resolves inside the document.
  const refs: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) k === '$ref' ? refs.push(v as string) : walk(v);
  };
  walk(doc);
  t.true(refs.length > 10);
  for (const ref of refs) {
    const target = ref
      .slice(2)
      .split('/')
      .reduce((o: any, k) => o?.[k], doc);
    t.truthy(target, ref);
  }

  // The contract's vocabulary, and the issue-5 extension of the events.
  const schemas = doc.components.schemas;
  // Any industry code is accepted (an unknown one counts as other_marketing): never a 400 for a new code.
  t.like(schemas.ScreenCall.properties.callerIndustry, { type: 'string', maxLength: 64 });
  t.regex(schemas.ScreenCall.properties.callerIndustry.description, /other_marketing/);
  t.deepEqual(schemas.Complaint.properties.category.enum, [...CATEGORY_CODES]);
  t.deepEqual(schemas.ScreenCall.properties.attestation.enum, ['A', 'B', 'C']);
  t.deepEqual(schemas.Decision.properties.action.enum, ['allow', 'block', 'smart_answer', 'verify']);
  t.deepEqual(schemas.InterceptionEvent.required.sort(), ['action', 'at', 'callee', 'caller', 'id', 'reason']);
  t.truthy(schemas.InterceptionEvent.properties.ringMs);
  t.is(schemas.InterceptionEvent.properties.outcome.$ref, '#/components/schemas/InterceptionOutcome');
  t.is(schemas.ScreenBatchRequest.properties.calls.maxItems, 1000);
  t.deepEqual(Object.keys(schemas.LabelPage.properties).sort(), ['hasMore', 'labels', 'nextSince']);
});

test('paths and methods the API does not serve answer JSON too', async (t) => {
  const s = await startCarrierServer({ db: 'sqlite', store: 'memory' });
  t.teardown(() => s.close());
  const c = s.client();
  const missing = await c.post('/carrier/v1/screens', {});
  t.is(missing.status, 404);
  t.is(missing.json.error, 'not_found');
  const wrongMethod = await c.get('/carrier/v1/screen');
  t.is(wrongMethod.status, 405);
  t.is(wrongMethod.json.error, 'method_not_allowed');
  t.is(wrongMethod.headers.allow, 'POST');
});
