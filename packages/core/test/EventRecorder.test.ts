import { describe, expect, it } from '@jest/globals';

import { ApiError, EventRecorder, resources, type Logger, type corev1 } from '../src/index.js';
import { FakeApiClient } from './support/FakeApiClient.js';
import { FakeClock } from './support/FakeClock.js';

const pod: corev1.Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'shop', uid: 'pod-uid', resourceVersion: '7' },
};

function capturingLogger(lines: string[]): Logger {
  const l: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (msg, f) => void lines.push(`${msg} ${JSON.stringify(f ?? {})}`),
    error: (msg, f) => void lines.push(`${msg} ${JSON.stringify(f ?? {})}`),
    child: () => l,
  };
  return l;
}

describe('EventRecorder', () => {
  it('writes a core/v1 Event about the object', async () => {
    const client = new FakeApiClient();
    const clock = new FakeClock();
    await clock.advance(1_700_000_000_000);
    const rec = new EventRecorder(client, capturingLogger([]), {
      component: 'kubelet',
      host: 'node-1',
      clock,
    });
    rec.event(pod, 'Normal', 'Pulled', 'Container image "busybox" already present on machine');
    await rec.flush();
    const [ev] = client.all(resources.Events);
    expect(ev).toMatchObject({
      metadata: { namespace: 'shop' },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'shop',
        name: 'web-0',
        uid: 'pod-uid',
        resourceVersion: '7',
      },
      type: 'Normal',
      reason: 'Pulled',
      count: 1,
      firstTimestamp: '2023-11-14T22:13:20Z',
      lastTimestamp: '2023-11-14T22:13:20Z',
      source: { component: 'kubelet', host: 'node-1' },
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    });
    expect(ev?.metadata.name).toMatch(/^web-0\.[0-9a-f]+$/);
  });

  it('de-duplicates identical events by count and lastTimestamp', async () => {
    const client = new FakeApiClient();
    const clock = new FakeClock();
    const rec = new EventRecorder(client, capturingLogger([]), { component: 'rs-controller', clock });
    for (let i = 0; i < 5; i++) {
      rec.event(pod, 'Warning', 'FailedCreate', 'quota exceeded');
      await clock.advance(1000);
    }
    rec.event(pod, 'Warning', 'FailedCreate', 'a different message');
    rec.event(pod, 'Normal', 'FailedCreate', 'quota exceeded');
    await rec.flush();
    const events = client.all(resources.Events);
    expect(events).toHaveLength(3);
    const dup = events.find((e) => e.message === 'quota exceeded' && e.type === 'Warning');
    expect(dup).toMatchObject({
      count: 5,
      firstTimestamp: '1970-01-01T00:00:00Z',
      lastTimestamp: '1970-01-01T00:00:04Z',
    });
    expect(client.calls.filter((c) => c.verb === 'patch')).toHaveLength(4);
  });

  it('starts a new Event after the window, or when the old one is gone', async () => {
    const client = new FakeApiClient();
    const clock = new FakeClock();
    const rec = new EventRecorder(client, capturingLogger([]), {
      component: 'c',
      clock,
      dedupWindowMs: 60_000,
    });
    rec.event(pod, 'Normal', 'Scaled', 'up');
    await rec.flush();
    await clock.advance(61_000);
    rec.event(pod, 'Normal', 'Scaled', 'up');
    await rec.flush();
    expect(client.all(resources.Events)).toHaveLength(2);
    for (const e of client.all(resources.Events))
      await client.delete(resources.Events, e.metadata.name ?? '', { namespace: 'shop' });
    rec.event(pod, 'Normal', 'Scaled', 'up');
    await rec.flush();
    expect(client.all(resources.Events).map((e) => e.count)).toEqual([1]);
  });

  it('puts events about cluster-scoped objects in the default namespace', async () => {
    const client = new FakeApiClient();
    const rec = new EventRecorder(client, capturingLogger([]), { component: 'node-controller' });
    rec.event(
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
      'Normal',
      'RegisteredNode',
      'registered',
    );
    await rec.flush();
    expect(client.all(resources.Events)[0]?.metadata.namespace).toBe('default');
  });

  it('never throws into the caller: failures are logged', async () => {
    const client = new FakeApiClient();
    client.create = async () => {
      throw new ApiError('Forbidden', 'events is forbidden');
    };
    const lines: string[] = [];
    const rec = new EventRecorder(client, capturingLogger(lines), { component: 'c' });
    expect(() => {
      rec.event(pod, 'Normal', 'X', 'y');
    }).not.toThrow();
    expect(() => {
      rec.event({}, 'Normal', 'X', 'y');
    }).not.toThrow();
    await rec.flush();
    expect(lines.some((l) => l.includes('events is forbidden'))).toBe(true);
    expect(lines.some((l) => l.includes('without a name'))).toBe(true);
  });

  it('bounds its de-duplication cache', async () => {
    const client = new FakeApiClient();
    const rec = new EventRecorder(client, capturingLogger([]), { component: 'c', cacheSize: 2 });
    for (const reason of ['A', 'B', 'C', 'A']) rec.event(pod, 'Normal', reason, 'm');
    await rec.flush();
    // A was evicted by C, so its second occurrence creates a second Event.
    expect(client.all(resources.Events).filter((e) => e.reason === 'A')).toHaveLength(2);
  });
});
