import { afterEach, describe, expect, it } from '@jest/globals';
import { imagePullError, resources, type AuthConfig, type corev1 } from '@tugboat/core';

import {
  shell,
  startPodHarness,
  statusOf,
  until,
  type PodHarness,
  type PodHarnessOptions,
} from './podHarness.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function pullSecret(name: string, registry: string, username: string, password: string): corev1.Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type: 'kubernetes.io/dockerconfigjson',
    data: {
      '.dockerconfigjson': b64(
        JSON.stringify({ auths: { [registry]: { auth: b64(`${username}:${password}`) } } }),
      ),
    },
  };
}

describe('Kubelet: image pull policies, pull secrets and events (fake runtime)', () => {
  let h: PodHarness | undefined;
  const start = async (options: PodHarnessOptions = {}): Promise<PodHarness> => {
    h = await startPodHarness(options);
    return h;
  };
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('IfNotPresent uses a present image; Always pulls it with Pulling/Pulled events giving time and size', async () => {
    const k = await start();
    await k.kubelet.start();
    await k.createPod('present', { containers: [shell('c', 'httpd', { imagePullPolicy: 'IfNotPresent' })] });
    await k.createPod('always', { containers: [shell('c', 'httpd', { imagePullPolicy: 'Always' })] });
    await k.waitPod('present', (p) => p.status?.phase === 'Running', 'Running');
    await k.waitPod('always', (p) => p.status?.phase === 'Running', 'Running');
    expect(await k.events('present')).toContain(
      'Pulled: Container image "busybox:1.36" already present on machine',
    );
    const always = await k.events('always');
    expect(always).toContain('Pulling: Pulling image "busybox:1.36"');
    expect(always).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Pulled: Successfully pulled image "busybox:1\.36" in \d[\d.]*m?s \(\d[\d.]*m?s including waiting\)\. Image size: 2136064 bytes\.$/,
        ),
      ]),
    );
  });

  it('Never with a missing image is ErrImageNeverPull, and nothing is pulled', async () => {
    const k = await start();
    const pulls: string[] = [];
    const pull = k.runtime.pullImage.bind(k.runtime);
    k.runtime.pullImage = (image: string) => {
      pulls.push(image);
      return pull(image);
    };
    await k.kubelet.start();
    await k.createPod('never', {
      containers: [shell('c', 'httpd', { image: 'absent:1', imagePullPolicy: 'Never' })],
    });
    const pod = await k.waitPod(
      'never',
      (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'ErrImageNeverPull',
      'ErrImageNeverPull',
    );
    const message = 'Container image "absent:1" is not present with pull policy of Never';
    expect(statusOf(pod, 'c')?.state?.waiting?.message).toBe(message);
    expect(await k.events('never')).toContain(`ErrImageNeverPull: ${message}`);
    expect(pulls).toEqual([]);
  });

  it('a malformed reference is InvalidImageName with the reason', async () => {
    const k = await start();
    await k.kubelet.start();
    await k.createPod('bad', { containers: [shell('c', 'httpd', { image: 'Example/UPPER:1' })] });
    const pod = await k.waitPod(
      'bad',
      (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'InvalidImageName',
      'InvalidImageName',
    );
    expect(statusOf(pod, 'c')?.state?.waiting?.message).toMatch(
      /^Failed to apply default image tag "Example\/UPPER:1": couldn't parse image name "Example\/UPPER:1": invalid reference format: .+/,
    );
    expect(await k.events('bad')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^InspectFailed: Failed to apply default image tag/)]),
    );
  });

  it("pulls with the ServiceAccount's pull secret; a malformed one is a warning and the pull goes on", async () => {
    const k = await start();
    const seen: (string | undefined)[] = [];
    const pull = k.runtime.pullImage.bind(k.runtime);
    k.runtime.pullImage = (image: string, auth?: AuthConfig) => {
      seen.push(auth?.username);
      if (image.startsWith('private.example.com/') && auth?.password !== 'right')
        return Promise.reject(imagePullError(image, 'Unauthorized', '401 Unauthorized'));
      return pull(image);
    };
    await k.api.create(resources.Secrets, pullSecret('regcred', 'private.example.com', 'robot', 'right'));
    await k.api.create(resources.Secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'broken', namespace: 'default' },
      type: 'kubernetes.io/dockerconfigjson',
      // The apiserver refuses a body that is not JSON; one without "auths" gets through.
      data: { '.dockerconfigjson': b64('{"auths": "nope"}') },
    });
    await k.api.create(resources.Secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'opaque', namespace: 'default' },
      type: 'Opaque',
      data: { password: b64('right') },
    });
    await k.api.create(resources.ServiceAccounts, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'puller', namespace: 'default' },
      imagePullSecrets: [{ name: 'regcred' }],
    });
    await k.kubelet.start();
    await k.createPod('private', {
      serviceAccountName: 'puller',
      imagePullSecrets: [{ name: 'broken' }],
      containers: [shell('c', 'httpd', { image: 'private.example.com/app:1' })],
    });
    await k.createPod('public', {
      imagePullSecrets: [{ name: 'broken' }, { name: 'opaque' }],
      containers: [shell('c', 'httpd', { image: 'public.example.com/app:1' })],
    });
    await k.waitPod('private', (p) => p.status?.phase === 'Running', 'Running');
    await k.waitPod('public', (p) => p.status?.phase === 'Running', 'Running');
    expect(seen).toEqual(expect.arrayContaining(['robot', undefined]));
    const warning = (await k.events('public')).find((e) => e.startsWith('FailedToRetrieveImagePullSecret: '));
    expect(warning).toMatch(
      /^FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets \(broken, opaque\); attempting to pull the image may not succeed\. Secret "broken": its \.dockerconfigjson has no "auths" object\. Secret "opaque": it is of type "Opaque"/,
    );
  });

  it('a pull that hangs fails at the deadline as ErrImagePull, and other pods still pull and start', async () => {
    const k = await start({ kubelet: { imagePullTimeoutMs: 300 } });
    const pull = k.runtime.pullImage.bind(k.runtime);
    k.runtime.pullImage = (image: string) =>
      image.startsWith('hung.example.com/') ? new Promise<string>(() => undefined) : pull(image);
    await k.kubelet.start();
    await k.createPod('hung', { containers: [shell('c', 'httpd', { image: 'hung.example.com/app:1' })] });
    await k.createPod('other', { containers: [shell('c', 'httpd', { image: 'other.example.com/app:1' })] });
    const hung = await k.waitPod(
      'hung',
      (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'ErrImagePull',
      'ErrImagePull',
    );
    expect(statusOf(hung, 'c')?.state?.waiting?.message).toMatch(
      /^Failed to pull image "hung.example.com\/app:1": the pull did not finish within 0.3s/,
    );
    await k.waitPod('other', (p) => p.status?.phase === 'Running', 'Running');
  });

  it('lists a pulled image in the node status', async () => {
    const k = await start({ realSeams: true });
    await k.kubelet.start();
    await k.createPod('fresh', { containers: [shell('c', 'httpd', { image: 'fresh.example.com/app:7' })] });
    await k.waitPod('fresh', (p) => p.status?.phase === 'Running', 'Running');
    await until(async () => {
      const node = await k.api.get(resources.Nodes, 'node-1');
      const names = (node.status?.images ?? []).flatMap((i) => i.names ?? []);
      return names.includes('fresh.example.com/app:7') ? true : undefined;
    }, 'node status lists fresh.example.com/app:7');
  });
});
