import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type corev1, type KubeObject, type WatchEvent } from '@tugboat/core';
import { until } from '@tugboat/testing';
import type { Subscription } from 'rxjs';

import { systemAdmin } from '../src/index.js';
import { storagePrefix } from '../src/internal/codec.js';
import { selection } from '../src/internal/selection.js';
import { watchResource } from '../src/internal/watchResource.js';
import { podStrategy } from '../src/strategies/pod/podStrategy.js';
import { Namespaces, Pods, newApiserver, pod } from './harness.js';

type Seen = string[];

/** What a watch delivered, one line per event. */
function record(events: Seen) {
  return (e: WatchEvent<KubeObject>): void => {
    if (e.type === 'BOOKMARK') return;
    const m = e.object.metadata ?? {};
    const spec = (e.object as corev1.Pod).spec;
    events.push(`${e.type} ${m.namespace}/${m.name} rv=${m.resourceVersion} node=${spec?.nodeName ?? ''}`);
  };
}

/** A small seeded generator, so a failure names the sequence that produced it. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % n;
  };
}

describe('the shared watch fan-out', () => {
  let api: Awaited<ReturnType<typeof newApiserver>>;
  const subs: Subscription[] = [];
  beforeEach(async () => {
    api = await newApiserver();
    await api.client.create(Namespaces, { metadata: { name: 'other' } });
  });
  afterEach(async () => {
    for (const s of subs.splice(0)) s.unsubscribe();
    await api.close();
  });

  /** The registry's watch (shared fan-out) and a store watch of its own (no fan-out), side by side. */
  function watchBoth(
    options: { namespace?: string; fieldSelector?: string; labelSelector?: string; resourceVersion?: string },
    fanned: Seen,
    direct: Seen,
  ): void {
    const def = api.registry.resources.resolve(Pods);
    subs.push(
      api.registry
        .watch(
          { user: systemAdmin, ...(options.namespace ? { namespace: options.namespace } : {}) },
          def,
          options,
        )
        .subscribe(record(fanned)),
    );
    subs.push(
      watchResource(
        {
          store: api.store,
          def,
          prefix: storagePrefix(def, options.namespace),
          selection: selection(def, podStrategy, options.labelSelector, options.fieldSelector),
          bookmarkIntervalMs: 60_000,
        },
        options,
      ).subscribe(record(direct)),
    );
  }

  it('delivers to every watch exactly what a watch of its own on the store delivers', async () => {
    const next = random(20261127);
    const nodes = ['', 'n1', 'n2', 'n3'];
    const selectors = [
      {},
      { fieldSelector: 'spec.nodeName=n1' },
      { fieldSelector: 'spec.nodeName=' },
      { fieldSelector: 'spec.nodeName=n2,metadata.name=p3' },
      { fieldSelector: 'spec.nodeName!=n1' },
      { labelSelector: 'tier=web' },
      { namespace: 'other', fieldSelector: 'spec.nodeName=n3' },
      { namespace: 'default' },
    ];
    const watches: { fanned: Seen; direct: Seen; what: string }[] = [];
    const open = (resourceVersion?: string): void => {
      const sel = selectors[next(selectors.length)] ?? {};
      const w = {
        fanned: [],
        direct: [],
        what: `${JSON.stringify(sel)} from rv ${resourceVersion ?? '(list)'}`,
      };
      watches.push(w);
      watchBoth(
        { ...sel, ...(resourceVersion !== undefined ? { resourceVersion } : {}) },
        w.fanned,
        w.direct,
      );
    };
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const revisions: string[] = [];
    // More writes than the fan-out retains, with watches joining along the way: some start far
    // enough back to read the store first and join the fan-out later.
    for (let i = 0; i < 1600; i++) {
      const name = names[next(names.length)] ?? 'p0';
      const namespace = next(3) === 0 ? 'other' : 'default';
      const existing = await api.client.get(Pods, name, { namespace }).catch(() => undefined);
      if (existing === undefined) {
        const nodeName = nodes[next(nodes.length)] ?? '';
        const created = await api.client.create(
          Pods,
          pod(name, namespace, nodeName ? { nodeName } : {}, next(2) === 0 ? { tier: 'web' } : {}),
        );
        revisions.push(created.metadata?.resourceVersion ?? '');
      } else if (!existing.spec?.nodeName && next(2) === 0) {
        await api.client.createSubresource(
          Pods,
          name,
          'binding',
          { metadata: { name, namespace }, target: { kind: 'Node', name: nodes[1 + next(3)] } },
          { namespace },
        );
      } else if (next(3) === 0) {
        await api.client.delete(Pods, name, { namespace, gracePeriodSeconds: 0 });
      } else {
        const labels = next(2) === 0 ? { tier: 'web' } : { tier: 'db' };
        await api.client.update(Pods, { ...existing, metadata: { ...existing.metadata, labels } });
      }
      if (i % 100 === 0) open();
      if (i % 100 === 50) open(revisions[Math.max(0, revisions.length - 1 - next(400))]);
    }
    const last = revisions[revisions.length - 1] ?? '';
    // Every watch has caught up once the direct ones have seen the newest create; then the two
    // sides must agree (a fan-out that lost or repeated an event never gets there).
    await until(
      () =>
        watches.every((w) => w.direct.length === w.fanned.length) &&
        watches.some((w) => w.direct.some((l) => l.includes(`rv=${last} `)))
          ? true
          : undefined,
      'every fanned-out watch to deliver what its direct twin did',
    ).catch(() => undefined);
    expect(watches.reduce((n, w) => n + w.direct.length, 0)).toBeGreaterThan(1000);
    for (const w of watches)
      expect({ what: w.what, events: w.fanned }).toEqual({ what: w.what, events: w.direct });
  });

  it('ends its watches when the store ends', async () => {
    const def = api.registry.resources.resolve(Pods);
    let completed = false;
    subs.push(
      api.registry.watch({ user: systemAdmin }, def, {}).subscribe({
        complete: () => {
          completed = true;
        },
      }),
    );
    await api.client.create(Pods, pod('a'));
    await api.store.close();
    await until(() => (completed ? true : undefined), 'the watch to complete');
  });
});
