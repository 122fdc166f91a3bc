import { afterAll, describe, expect, it } from '@jest/globals';

import { FakeRuntime, ManualClock } from '../src/index.js';
import { containerConfig, removeLogDirs, sandboxConfig } from './helpers.js';

afterAll(removeLogDirs);

describe('FakeRuntime: the sandbox DNS config', () => {
  it('records it with the sandbox and shows it to the pod as /etc/resolv.conf', async () => {
    const runtime = new FakeRuntime({ clock: new ManualClock(), images: ['busybox:1.35'] });
    const dnsConfig = {
      servers: ['10.96.0.10'],
      searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      options: ['ndots:5'],
    };
    const sb = sandboxConfig('dns', { dnsConfig });
    const podId = await runtime.runPodSandbox(sb);
    expect(runtime.node.sandbox(podId).config.dnsConfig).toEqual(dnsConfig);
    const id = await runtime.createContainer(podId, containerConfig('c', ['sleep', '3600']), sb);
    await runtime.startContainer(id);
    const out = await runtime.execSync(id, ['cat', '/etc/resolv.conf']);
    expect(Buffer.from(out.stdout).toString()).toBe(
      'search web.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    await runtime.removePodSandbox(podId);
  });
});
