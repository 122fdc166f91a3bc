import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, request } from 'node:http';

import { startTestServer, type TestServer } from './serverHarness.js';

/** A small seeded PRNG (mulberry32), so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(process.env['FUZZ_SEED'] ?? '20261127');
const total = 10_000;

const paths = [
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/pods/fz',
  '/api/v1/namespaces/default/pods/fz/status',
  '/api/v1/namespaces/default/pods/fz/binding',
  '/api/v1/namespaces/default/pods/fz/log',
  '/api/v1/namespaces/default/configmaps',
  '/api/v1/namespaces/default/configmaps/cfz',
  '/api/v1/namespaces',
  '/api/v1/namespaces/fz-ns',
  '/api/v1/namespaces/fz-ns/finalize',
  '/api/v1/nodes/n1',
  '/api/v1/pods',
  '/apis/apps/v1/namespaces/default/deployments',
  '/apis/apps/v1/namespaces/default/deployments/dfz',
  '/apis/apps/v1/namespaces/default/deployments/dfz/scale',
  '/apis/apps/v1',
  '/apis',
  '/api',
  '/openapi/v3',
  '/version',
  '/healthz',
  '/metrics',
  '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
];
const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const contentTypes = [
  'application/json',
  'application/yaml',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'application/vnd.kubernetes.protobuf',
  'text/plain',
  'application/json; charset=utf-8',
  '',
  'garbage/;;;',
];
const queries = [
  'fieldValidation=Strict',
  'fieldValidation=Warn',
  'fieldValidation=Bogus',
  'dryRun=All',
  'dryRun=Nope',
  'limit=2',
  'limit=-1',
  'limit=x',
  'continue=garbage',
  'resourceVersion=0',
  'resourceVersion=abc',
  'resourceVersion=99999999',
  'resourceVersionMatch=Exact',
  'resourceVersionMatch=Whatever',
  'labelSelector=app%3Dfz',
  'labelSelector=%3D%3D%21',
  'fieldSelector=metadata.name%3Dfz',
  'fieldSelector=spec.bogus%3D1',
  'propagationPolicy=Foreground',
  'propagationPolicy=Up',
  'gracePeriodSeconds=-5',
  'gracePeriodSeconds=0',
  'includeObject=Object',
  'includeObject=Nah',
  'pretty=true',
  'timeoutSeconds=abc',
];

function validBody(kind: number): Record<string, unknown> {
  switch (kind % 3) {
    case 0:
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'fz', labels: { app: 'fz' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      };
    case 1:
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfz' }, data: { a: 'b' } };
    default:
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'dfz' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { a: 'b' } },
          template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
        },
      };
  }
}

const weird: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  '',
  'x'.repeat(300),
  [],
  {},
  [1, 'a'],
  { $patch: 'delete' },
  '\u0000\uffff',
  { nested: { deep: [null] } },
];

function mutateValue(value: unknown, rand: () => number, depth = 0): unknown {
  if (depth > 6 || rand() < 0.15) return weird[Math.floor(rand() * weird.length)];
  if (Array.isArray(value))
    return (value as unknown[]).map((v) => (rand() < 0.3 ? mutateValue(v, rand, depth + 1) : v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rand();
      if (r < 0.08) continue;
      out[r < 0.14 ? `${k}X` : k] = r < 0.4 ? mutateValue(v, rand, depth + 1) : v;
    }
    if (rand() < 0.1) out['unknownField'] = weird[Math.floor(rand() * weird.length)];
    return out;
  }
  return value;
}

function mutateText(text: string, rand: () => number): string {
  const chars = Array.from(text);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits && chars.length > 0; i++) {
    const at = Math.floor(rand() * chars.length);
    const r = rand();
    if (r < 0.33) chars.splice(at, 1);
    else if (r < 0.66) chars.splice(at, 0, String.fromCharCode(Math.floor(rand() * 128)));
    else chars[at] = '{[":,]}'[Math.floor(rand() * 7)] ?? '';
  }
  return chars.join('');
}

function randomRequest(rand: () => number): {
  method: string;
  path: string;
  type: string;
  body: string | undefined;
} {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let path = pick(paths);
  const r = rand();
  if (r < 0.1)
    path = path.replace(
      /\/[^/]+$/,
      `/${encodeURIComponent(String.fromCharCode(...Array.from({ length: 1 + Math.floor(rand() * 20) }, () => 32 + Math.floor(rand() * 90))))}`,
    );
  else if (r < 0.15) path = `${path}/${pick(['status', 'scale', 'exec', 'zzz', '..', '%ff', ''])}`;
  else if (r < 0.18) path = path.replace('/v1', pick(['/v2', '/v1beta1', '']));
  else if (r < 0.2) path = `/${'a/'.repeat(Math.floor(rand() * 50))}`;
  const q =
    rand() < 0.5
      ? `?${Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(queries)).join('&')}`
      : '';
  const method = pick(methods);
  const type = pick(contentTypes);
  let body: string | undefined;
  if (method !== 'GET' && method !== 'HEAD' && rand() < 0.9) {
    const b = rand();
    const base = validBody(Math.floor(rand() * 3));
    if (b < 0.3) body = JSON.stringify(base);
    else if (b < 0.55) body = JSON.stringify(mutateValue(base, rand));
    else if (b < 0.75) body = mutateText(JSON.stringify(base), rand);
    else if (b < 0.82)
      body = JSON.stringify([
        {
          op: pick(['add', 'remove', 'replace', 'move', 'test', 'bogus']),
          path: pick(['/metadata/labels/x', '/spec', '', '/a/b/c', '/metadata/name']),
          value: pick(weird),
        },
      ]);
    else if (b < 0.88)
      body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfz\n${pick(['data: {a: [}', 'data:\n  a: b', '  - bad: indent', '&a [*a, *a]', 'x: !!binary ZZ'])}\n`;
    else if (b < 0.9) body = 'x'.repeat(3 * 1024 * 1024 + 10);
    else
      body = String.fromCharCode(
        ...Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)),
      );
  }
  return { method, path: `${path}${q}`, type, body };
}

describe('HTTP front: fuzzing', () => {
  let t: TestServer;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  const send = (
    method: string,
    path: string,
    type: string,
    body: string | undefined,
  ): Promise<{ status: number; text: string; contentType: string }> =>
    new Promise((resolve, reject) => {
      const req = request(`${t.url}${path}`, {
        method,
        agent,
        headers: {
          ...(type ? { 'Content-Type': type } : {}),
          ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}),
        },
        timeout: 15_000,
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString(),
            contentType: res.headers['content-type'] ?? '',
          });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      req.on('error', reject);
      req.end(body);
    });

  it(`answers ${total} random and mutated requests without a 500, a stack trace, or a write on rejection (seed ${seed})`, async () => {
    const rand = prng(seed);
    const codes = new Map<number, number>();
    for (let i = 0; i < total; i++) {
      const { method, path, type, body } = randomRequest(rand);
      const before = await t.store.currentRevision();
      const res = await send(method, path, type, body);
      const after = await t.store.currentRevision();
      const what = `#${i} ${method} ${path} [${type}] ${body?.slice(0, 200) ?? ''} → ${res.status} ${res.text.slice(0, 300)}`;
      codes.set(res.status, (codes.get(res.status) ?? 0) + 1);
      if (res.status >= 500 && res.status !== 503) throw new Error(`server error: ${what}`);
      if (/\n\s+at .+\(.+:\d+:\d+\)/.test(res.text) || res.text.includes('node_modules'))
        throw new Error(`stack trace leaked: ${what}`);
      if (res.status >= 400) {
        if (after !== before) throw new Error(`a rejected request changed the store: ${what}`);
        if (method !== 'HEAD' && res.status !== 400)
          expect(JSON.parse(res.text)).toMatchObject({ kind: 'Status', status: 'Failure', code: res.status });
        if (method !== 'HEAD' && res.status === 400 && res.contentType.startsWith('application/json'))
          expect(JSON.parse(res.text)).toMatchObject({ kind: 'Status' });
      }
    }
    // The run exercised both sides: plenty of rejections and some successful writes.
    const rejected = [...codes].filter(([c]) => c >= 400).reduce((n, [, k]) => n + k, 0);
    expect(rejected).toBeGreaterThan(total / 4);
    expect((codes.get(201) ?? 0) + (codes.get(200) ?? 0)).toBeGreaterThan(100);
  }, 300_000);
});
