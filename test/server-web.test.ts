// The web app as the server serves it (src/server/web.ts): files from its folder only, whatever the
// request path tries (dot segments, encoded slashes, absolute paths, links out of the folder); pages
// fall back to index.html; the API keeps its JSON 404s; and every answer, the API's included, carries
// the CSP and cross-origin isolation headers the app relies on. Raw HTTP requests (node:http), so
// the paths reach the server exactly as written, not normalized by a client.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../src/server/web.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const ROOT = mkdtempSync(join(tmpdir(), 'capseal-web-'));
const WEB = join(ROOT, 'web');
const INDEX = '<!doctype html><title>app</title>';
const SECRET = 'the content of a file outside the app folder';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with the path sent byte for byte as given. */
function raw(url: string, path: string, method = 'GET'): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let s: TestServer;
let bare: TestServer;

beforeAll(async () => {
  mkdirSync(join(WEB, 'assets'), { recursive: true });
  writeFileSync(join(WEB, 'index.html'), INDEX);
  writeFileSync(join(WEB, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(WEB, 'assets', 'app-1234.css'), 'body{}');
  writeFileSync(join(WEB, 'build-info.json'), '{"files":[]}');
  writeFileSync(join(ROOT, 'secret.txt'), SECRET);
  symlinkSync(join(ROOT, 'secret.txt'), join(WEB, 'assets', 'link.txt'));
  [s, bare] = await Promise.all([startTestServer('pglite', { webDir: WEB }), startTestServer('pglite', { webDir: null })]);
});

afterAll(async () => {
  await Promise.all([s?.stop(), bare?.stop()]);
  rmSync(ROOT, { recursive: true, force: true });
});

describe('the web app on the API origin', () => {
  it('serves its files with their types; bundle files are cached for good, the rest revalidated', async () => {
    const js = await raw(s.url, '/assets/app-1234.js');
    expect(js).toMatchObject({ status: 200, body: 'console.log(1)' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await raw(s.url, '/assets/app-1234.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const info = await raw(s.url, '/build-info.json');
    expect(info).toMatchObject({ status: 200, body: '{"files":[]}' });
    expect(info.headers['cache-control']).toBe('no-cache');
    const head = await raw(s.url, '/assets/app-1234.js', 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '' });
  });

  it('answers a page URL with index.html, so any view can be linked and reloaded', async () => {
    for (const path of ['/', '/runs/run_2026_01_01T00_00_00Z_00000000', '/compare?a=x&b=y', '/live/abc', '/prove?engine=wasm']) {
      const r = await raw(s.url, path);
      expect(r, path).toMatchObject({ status: 200, body: INDEX });
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    }
  });

  it('never serves a file outside its folder, however the path is written', async () => {
    const attempts = [
      '/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt', '//etc/passwd', '/assets//../../secret.txt', '/assets/link.txt', '/.%2e/secret.txt', '/assets/%00.js', '/secret.txt',
    ];
    for (const path of attempts) {
      const r = await raw(s.url, path);
      expect(r.body, path).not.toContain(SECRET);
      expect(r.body, path).not.toContain('root:');
      expect([200, 400, 404], path).toContain(r.status);
      if (r.status === 200) expect(r.body, path).toBe(INDEX); // a page URL, answered with the app
    }
  });

  it('a missing file is a JSON 404, and the API keeps its own 404s', async () => {
    const missing = await raw(s.url, '/assets/missing-0000.js');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { code: 'not_found' } });
    const api = await raw(s.url, '/api/nope');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toMatchObject({ error: { status: 404, code: 'not_found', message: 'no route GET /api/nope' } });
    expect((await raw(s.url, '/api/health')).status).toBe(200);
  });

  it('every answer carries the CSP, COOP/COEP and nosniff; the CSP allows scripts and workers from this origin only', async () => {
    for (const path of ['/', '/assets/app-1234.js', '/api/health', '/api/nope', '/assets/missing.js']) {
      const r = await raw(s.url, path);
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(r.headers[k], `${path} ${k}`).toBe(v);
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-inline'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-eval'/);
  });

  it('without a built app, / says where the API is and how to build the app', async () => {
    const r = await raw(bare.url, '/');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ name: 'capseal', api: '/api/openapi.json', web_app: expect.stringContaining('npm run build') });
    expect((await raw(bare.url, '/runs/x')).status).toBe(404);
  });
});
