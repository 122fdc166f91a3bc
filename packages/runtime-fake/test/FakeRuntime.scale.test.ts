import { describe, expect, it } from '@jest/globals';
import type { PodSandboxConfig } from '@tugboat/core';

import { FakeBehaviours, FakeRuntime, ManualClock, behaviours } from '../src/index.js';

describe('FakeRuntime at scale', () => {
  it('holds 100k running containers in one process, with no timers while they idle', async () => {
    const clock = new ManualClock();
    const registry = new FakeBehaviours().forImage('docker.io/tugboat/app:1', behaviours.runForever());
    const runtime = new FakeRuntime({ clock, behaviours: registry, images: ['docker.io/tugboat/app:1'] });
    let events = 0;
    runtime.events.subscribe(() => events++);

    const pods = 1000;
    const perPod = 100;
    for (let p = 0; p < pods; p++) {
      // The log directory is never created: idle containers that print nothing cost no file.
      const sb: PodSandboxConfig = {
        metadata: { name: `pod-${p}`, uid: `u${p}`, namespace: 'scale', attempt: 0 },
        logDirectory: `/nonexistent/tug-scale/${p}`,
      };
      const podId = await runtime.runPodSandbox(sb);
      const ids = await Promise.all(
        Array.from({ length: perPod }, (_, c) =>
          runtime.createContainer(
            podId,
            {
              metadata: { name: `c${c}`, attempt: 0 },
              image: 'docker.io/tugboat/app:1',
              labels: { pod: String(p) },
              logPath: `c${c}.log`,
            },
            sb,
          ),
        ),
      );
      await Promise.all(ids.map((id) => runtime.startContainer(id)));
    }

    expect((await runtime.listContainers({ state: 'CONTAINER_RUNNING' })).length).toBe(pods * perPod);
    expect((await runtime.listContainers({ labelSelector: { pod: '999' } })).length).toBe(perPod);
    expect(clock.pendingTimers).toBe(0);
    expect(events).toBe(2 * pods * perPod);

    const [first] = await runtime.listPodSandboxes({ labelSelector: {} });
    await runtime.removePodSandbox(first?.id ?? '');
    expect((await runtime.listContainers()).length).toBe((pods - 1) * perPod);
  }, 300_000);
});
