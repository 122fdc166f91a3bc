import { describe, expect, it } from '@jest/globals';

import { SchedulerCache } from '../src/index.js';
import { node, pod } from './helpers.js';

describe('SchedulerCache', () => {
  it('keeps per-node aggregates as pods come and go', () => {
    const c = new SchedulerCache();
    c.addNode(node('n', { cpu: '4', memory: '8Gi' }));
    const a = pod('a', {
      cpu: '1',
      memory: '1Gi',
      nodeName: 'n',
      ports: [{ containerPort: 1, hostPort: 80 }],
    });
    c.addPod(a);
    c.addPod(pod('b', { cpu: '500m', nodeName: 'n' }));
    const info = c.get('n')!;
    expect(info.requested['cpu']).toBe(1500);
    expect(info.requested['memory']).toBe(1024 ** 3);
    expect(info.allocatable['cpu']).toBe(4000);
    expect(info.pods).toHaveLength(2);
    expect([...info.usedPorts]).toEqual(['TCP/0.0.0.0/80']);
    c.removePod(a.metadata!.uid!);
    expect(info.requested['cpu']).toBe(500);
    expect(info.usedPorts.size).toBe(0);
  });

  it('counts an assumed pod at once, forgets it on failure, confirms it on the binding', () => {
    const c = new SchedulerCache();
    c.addNode(node('n', { cpu: '4' }));
    const p = pod('p', { cpu: '1' });
    const uid = p.metadata!.uid!;
    c.assumePod(p, 'n');
    expect(c.isAssumed(uid)).toBe(true);
    expect(c.get('n')!.requested['cpu']).toBe(1000);
    c.forgetPod(uid);
    expect(c.hasPod(uid)).toBe(false);
    expect(c.get('n')!.requested['cpu']).toBe(0);
    c.assumePod(p, 'n');
    c.addPod({ ...p, spec: { ...p.spec!, nodeName: 'n' } });
    expect(c.isAssumed(uid)).toBe(false);
    expect(c.get('n')!.pods).toHaveLength(1);
    expect(c.get('n')!.requested['cpu']).toBe(1000);
    c.forgetPod(uid); // confirmed pods are not forgotten
    expect(c.get('n')!.pods).toHaveLength(1);
  });

  it('keeps pods of a node it has not seen without listing the node', () => {
    const c = new SchedulerCache();
    c.addPod(pod('ghost', { nodeName: 'missing' }));
    expect(c.nodes).toHaveLength(0);
    expect(c.get('missing')).toBeUndefined();
    c.addNode(node('missing'));
    expect(c.get('missing')!.pods).toHaveLength(1);
    c.removeNode('missing');
    expect(c.nodes).toHaveLength(0);
  });

  it('tracks nodes holding pods with affinity', () => {
    const c = new SchedulerCache();
    c.addNode(node('n'));
    c.addNode(node('m'));
    const p = pod('p', {
      nodeName: 'n',
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'k', labelSelector: {} }],
          },
        },
      },
    });
    c.addPod(p);
    expect(c.nodesWithAffinityPods.map((i) => i.node.metadata?.name)).toEqual(['n']);
    c.removePod(p.metadata!.uid!);
    expect(c.nodesWithAffinityPods).toHaveLength(0);
  });
});
