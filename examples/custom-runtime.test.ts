import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { imagePullReason, resources, type corev1 } from '@tugboat/core';
import { FakeRuntime } from '@tugboat/runtime-fake';
import { createTestCluster, type TestCluster } from '@tugboat/test-cluster';
import {
  busyboxImageRef,
  describeRuntimeConformance,
  missingImageRef,
  pauseImageRef,
} from '@tugboat/testing';

import { RegistryPolicyRuntime } from './custom-runtime.js';

// The shared suite, through the wrapper: delegation keeps every rule of the contract.
describeRuntimeConformance('examples/custom-runtime RegistryPolicyRuntime', async () => {
  const fake = new FakeRuntime({
    images: [busyboxImageRef, { ref: pauseImageRef, entrypoint: ['sleep', 'infinity'], cmd: [] }],
    pullable: (ref) => ref !== missingImageRef,
  });
  // The conformance images come from docker.io and the suite's unreachable loopback registry.
  const runtime = new RegistryPolicyRuntime(fake, ['docker.io', '127.0.0.1:1']);
  return { runtime, images: { busybox: busyboxImageRef, pause: pauseImageRef } };
});

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not met before the deadline`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const pod = (name: string, image: string): corev1.Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'main', image, command: ['sh', '-c', 'sleep 3600'] }] },
});

describe('examples/custom-runtime under a kubelet', () => {
  let cluster: TestCluster;
  const policies: RegistryPolicyRuntime[] = [];
  beforeAll(async () => {
    cluster = await createTestCluster({
      scheduler: true,
      nodes: 1,
      runtime: () => {
        const policy = new RegistryPolicyRuntime(new FakeRuntime(), ['docker.io']);
        policies.push(policy);
        return policy;
      },
    });
  });
  afterAll(() => cluster.stop());

  it('runs pods whose images come from an allowed registry', async () => {
    await cluster.client.create(resources.Pods, pod('allowed', 'busybox:1.36'));
    const running = await until(async () => {
      const p = await cluster.client.get(resources.Pods, 'allowed', { namespace: 'default' });
      return p.status?.phase === 'Running' ? p : undefined;
    }, 'the allowed pod running');
    expect(running.spec?.nodeName).toBe('node-1');
  });

  it('leaves pods from other registries waiting with an image pull error', async () => {
    await cluster.client.create(resources.Pods, pod('refused', 'quay.io/team/app:1'));
    const waiting = await until(async () => {
      const p = await cluster.client.get(resources.Pods, 'refused', { namespace: 'default' });
      const reason = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return reason === 'ErrImagePull' || reason === 'ImagePullBackOff' ? p : undefined;
    }, 'the refused pod waiting on its image');
    expect(waiting.status?.phase).toBe('Pending');
    expect(policies[0]?.refused).toContain('quay.io/team/app:1');
    const err = await policies[0]?.pullImage('quay.io/team/app:1').catch((e: unknown) => e);
    expect(imagePullReason(err)).toBe('Unauthorized');
  });
});
