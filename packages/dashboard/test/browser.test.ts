import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';

import { privateNetwork, run, startChild, tugPath, type Child, type PrivateNetwork } from './processes.js';

const chromiumPath = '/usr/bin/chromium';
const timeout = 60_000;

/** Waits until the element's text contains `wanted`; fails with the text it last had. */
async function textContaining(page: Page, selector: string, wanted: string): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = '';
  while (!last.includes(wanted)) {
    if (Date.now() > deadline) throw new Error(`${selector} never showed "${wanted}"; it shows "${last}"`);
    last = (await page.locator(selector).textContent()) ?? '';
    if (!last.includes(wanted)) await page.waitForTimeout(100);
  }
}

/** A Deployment whose pods print a greeting and then wait. */
function deployment(namespace: string): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hello', namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'hello' } },
      template: {
        metadata: { labels: { app: 'hello' } },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'busybox:1.35',
              command: ['sh', '-c', 'echo "hello from the dashboard test"; sleep 3600'],
            },
          ],
        },
      },
    },
  };
}

// What a user does (docs/dashboard.md): `tug up`, `kubectl proxy`, then a browser on
// http://127.0.0.1:8001/ui/ — all three in a network namespace of the test's own, so the default
// ports are free and no other test's interfaces disturb the browser.
describe('the dashboard in headless Chromium, through kubectl proxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-dashboard-e2e-'));
  const env = { PATH: process.env['PATH'] ?? '/usr/bin', HOME: dir, TUG_LOG_LEVEL: 'warn' };
  const kubeconfig = join(dir, 'data', 'kubeconfig');
  const proxyUrl = 'http://127.0.0.1:8001';
  let net: PrivateNetwork | undefined;
  let tug: Child | undefined;
  let proxy: Child | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const kubectl = (...args: string[]): Promise<string> =>
    run(env, net?.argv('/usr/bin/kubectl', '--kubeconfig', kubeconfig, ...args) ?? []);

  beforeAll(async () => {
    if (!existsSync(chromiumPath))
      throw new Error(`Chromium is not installed at ${chromiumPath}: run scripts/setup.sh (it installs it)`);
    net = await privateNetwork(env);
    const [tugCmd, ...tugArgs] = net.argv(
      tugPath,
      'up',
      '--data-dir',
      join(dir, 'data'),
      '--runtime',
      'fake',
      '--node-name',
      'dash-node',
    );
    tug = startChild(tugCmd, tugArgs, env);
    // Started alongside: the browser needs no cluster.
    browser = await chromium.launch({
      executablePath: net.wrapper(join(dir, 'chromium'), chromiumPath),
      args: ['--no-sandbox'],
    });
    await tug.waitFor(/ready: kubeconfig/);
    const [proxyCmd, ...proxyArgs] = net.argv('/usr/bin/kubectl', '--kubeconfig', kubeconfig, 'proxy');
    proxy = startChild(proxyCmd, proxyArgs, env);
    await proxy.waitFor(/Starting to serve on 127\.0\.0\.1:8001/, 30_000);
    page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await tug?.stop();
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('opens at /ui on the pods, and shows the node Ready on its tab, without any error in the page', async () => {
    await page.goto(`${proxyUrl}/ui`);
    expect(page.url()).toBe(`${proxyUrl}/ui/`);
    await page.locator('#pods tbody tr').first().waitFor({ timeout });
    const headers = await page.locator('#pods thead th').allTextContents();
    expect(headers).toEqual(['Namespace', 'Name', 'Ready', 'Status', 'Restarts', 'Node', 'Age']);
    await page.click('#tab-nodes');
    await page.locator('#nodes tbody tr', { hasText: 'Ready' }).waitFor({ timeout });
    expect(await page.locator('#pods').isHidden()).toBe(true);
    await page.locator('#connection', { hasText: 'Live' }).waitFor({ timeout });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("shows a newly applied Deployment's pods without a reload, and a pod's logs on click", async () => {
    await page.click('#tab-pods');
    await kubectl('create', 'namespace', 'dash');
    // The selector offers the new namespace as soon as the watch delivers it.
    await page.locator('#namespace option[value="dash"]').waitFor({ state: 'attached', timeout });
    await page.selectOption('#namespace', 'dash');
    await page.locator('#pods tbody td.empty', { hasText: 'No pods in dash' }).waitFor({ timeout });
    const manifest = join(dir, 'hello.json');
    writeFileSync(manifest, JSON.stringify(deployment('dash')));
    await kubectl('apply', '-f', manifest);

    const running = page.locator('#pods tbody tr', { hasText: 'Running' });
    await running.nth(1).waitFor({ timeout });
    const trs = await page.locator('#pods tbody tr').all();
    expect(trs).toHaveLength(2);
    const rows = await Promise.all(trs.map((tr) => tr.locator('td').allTextContents()));
    for (const row of rows)
      expect(row).toEqual([
        expect.stringMatching(/^hello-/),
        '1/1',
        'Running',
        '0',
        'dash-node',
        expect.any(String),
      ]);

    await running.first().click();
    await textContaining(page, '#logs-text', 'hello from the dashboard test');
    expect(await page.locator('#logs-title').textContent()).toMatch(/^Logs of dash\/hello-/);
    expect(await page.locator('#logs-container option').allTextContents()).toEqual(['main']);
    await page.click('#logs-close');
    expect(await page.locator('#logs').isHidden()).toBe(true);

    await page.click('#tab-deployments');
    await page
      .locator('#deployments tbody tr', { hasText: 'hello' })
      .filter({ hasText: '2/2' })
      .waitFor({ timeout });
    await page.click('#tab-events');
    await page.locator('#events tbody tr', { hasText: 'ScalingReplicaSet' }).waitFor({ timeout });
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('drops a deleted Deployment\u2019s pods from the page, again without a reload', async () => {
    await page.click('#tab-pods');
    await page.locator('#pods tbody tr', { hasText: 'hello-' }).first().waitFor({ timeout });
    await kubectl('-n', 'dash', 'delete', 'deployment', 'hello', '--wait=false');
    await page.locator('#pods tbody td.empty', { hasText: 'No pods in dash' }).waitFor({ timeout });
    await page.click('#tab-deployments');
    await page
      .locator('#deployments tbody td.empty', { hasText: 'No deployments in dash' })
      .waitFor({ timeout });
  }, 120_000);
});
