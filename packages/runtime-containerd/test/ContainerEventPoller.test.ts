import { describe, expect, it } from '@jest/globals';
import {
  silentLogger,
  type Container,
  type ContainerEvent,
  type ContainerState,
  type ContainerStatus,
} from '@tugboat/core';

import { ContainerEventPoller } from '../src/internal/ContainerEventPoller.js';

/** A scripted containerd: the test sets what the list and the statuses say before each poll. */
class FakeSource {
  readonly containers = new Map<
    string,
    { state: ContainerState; startedAt: number; finishedAt: number; exitCode: number }
  >();
  failList = false;

  set(
    id: string,
    state: ContainerState,
    times: { startedAt?: number; finishedAt?: number; exitCode?: number } = {},
  ): void {
    this.containers.set(id, {
      state,
      startedAt: times.startedAt ?? 0,
      finishedAt: times.finishedAt ?? 0,
      exitCode: times.exitCode ?? 0,
    });
  }

  listContainers = (): Promise<Container[]> => {
    if (this.failList) return Promise.reject(new Error('daemon restarting'));
    return Promise.resolve(
      [...this.containers].map(([id, c], i) => ({
        id,
        podSandboxId: 'sb',
        metadata: { name: id, attempt: 0 },
        image: 'img',
        imageRef: 'ref',
        state: c.state,
        createdAt: 10 + i,
        labels: {},
        annotations: {},
      })),
    );
  };

  containerStatus = async (id: string): Promise<ContainerStatus> => {
    const [listed] = (await this.listContainers()).filter((c) => c.id === id);
    const c = this.containers.get(id);
    if (!listed || !c) throw new Error('not found');
    return { ...listed, startedAt: c.startedAt, finishedAt: c.finishedAt, exitCode: c.exitCode, logPath: '' };
  };
}

function setup(): {
  source: FakeSource;
  poller: ContainerEventPoller;
  events: ContainerEvent[];
  stop: () => void;
} {
  const source = new FakeSource();
  // A long interval: the test drives every poll itself through flush().
  const poller = new ContainerEventPoller(source, 3_600_000, silentLogger);
  const events: ContainerEvent[] = [];
  const sub = poller.events.subscribe((e) => events.push(e));
  return {
    source,
    poller,
    events,
    stop: () => {
      sub.unsubscribe();
      poller.close();
    },
  };
}

const kinds = (events: ContainerEvent[], id: string): string[] =>
  events.filter((e) => e.containerId === id).map((e) => e.type);

describe('ContainerEventPoller', () => {
  it('reports only what changes after the subscription, in lifecycle order with the exit code', async () => {
    const { source, poller, events, stop } = setup();
    source.set('old', 'CONTAINER_RUNNING', { startedAt: 5 });
    await poller.ready();
    source.set('new', 'CONTAINER_CREATED');
    await poller.flush();
    source.set('new', 'CONTAINER_RUNNING', { startedAt: 100 });
    await poller.flush();
    // containerd may stamp the exit a millisecond before the start; the event keeps the order.
    source.set('new', 'CONTAINER_EXITED', { startedAt: 100, finishedAt: 99, exitCode: 3 });
    await poller.flush();
    source.containers.delete('new');
    await poller.flush();
    expect(kinds(events, 'new')).toEqual(['created', 'started', 'exited', 'deleted']);
    expect(events.find((e) => e.type === 'exited')?.exitCode).toBe(3);
    const times = events.filter((e) => e.containerId === 'new').map((e) => e.timestamp);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(kinds(events, 'old')).toEqual([]);
    stop();
  });

  it('fills in steps a poll missed, and skips start for a container that never ran', async () => {
    const { source, poller, events, stop } = setup();
    await poller.ready();
    source.set('fast', 'CONTAINER_EXITED', { startedAt: 50, finishedAt: 60, exitCode: 0 });
    source.set('never', 'CONTAINER_EXITED');
    await poller.flush();
    expect(kinds(events, 'fast')).toEqual(['created', 'started', 'exited']);
    expect(kinds(events, 'never')).toEqual(['created', 'exited']);
    stop();
  });

  it('reports a running container that disappears as exited, then deleted', async () => {
    const { source, poller, events, stop } = setup();
    await poller.ready();
    source.set('c', 'CONTAINER_RUNNING', { startedAt: 20 });
    await poller.flush();
    source.containers.delete('c');
    await poller.flush();
    expect(kinds(events, 'c')).toEqual(['created', 'started', 'exited', 'deleted']);
    stop();
  });

  it('rides out a failed list and catches up on the next poll', async () => {
    const { source, poller, events, stop } = setup();
    await poller.ready();
    source.failList = true;
    source.set('c', 'CONTAINER_CREATED');
    await poller.flush();
    expect(events).toEqual([]);
    source.failList = false;
    await poller.flush();
    expect(kinds(events, 'c')).toEqual(['created']);
    stop();
  });

  it('does not poll while nobody subscribes', async () => {
    const source = new FakeSource();
    let lists = 0;
    const list = source.listContainers;
    source.listContainers = () => (lists++, list());
    const poller = new ContainerEventPoller(source, 3_600_000, silentLogger);
    poller.poke();
    await poller.flush();
    await poller.ready();
    expect(lists).toBe(0);
    poller.close();
  });
});
