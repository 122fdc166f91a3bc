import { describe, expect, it } from '@jest/globals';

import { templateKey } from '../src/deployment/deploymentUtil.js';
import { SyncThrottle } from '../src/replicaset/SyncThrottle.js';

describe('templateKey', () => {
  it('equates a template with the re-encoded form kubectl rollout undo writes back', () => {
    const stored = {
      metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } },
      spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
    };
    const fromUndo = {
      metadata: { creationTimestamp: null, labels: { app: 'web' } },
      spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: {} }] },
    };
    expect(templateKey(fromUndo as never)).toBe(templateKey(stored));
  });

  it('still tells different templates apart', () => {
    const a = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'a' }] } };
    const b = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'b' }] } };
    const c = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'main', image: 'a', args: ['x'] }] },
    };
    expect(templateKey(a)).not.toBe(templateKey(b));
    expect(templateKey(a)).not.toBe(templateKey(c));
  });
});

describe('SyncThrottle', () => {
  it('never holds back cheap syncs', () => {
    let now = 0;
    const t = new SyncThrottle(() => now);
    now = 1;
    t.record('ns/small', 1);
    expect(t.delay('ns/small')).toBe(0);
    expect(t.delay('ns/unknown')).toBe(0);
  });

  it('spaces an expensive key by sixteen times its last cost, then lets it run', () => {
    let now = 0;
    const t = new SyncThrottle(() => now);
    now = 150;
    t.record('ns/big', 50);
    expect(t.delay('ns/big')).toBe(800);
    now = 900;
    expect(t.delay('ns/big')).toBe(50);
    now = 950;
    expect(t.delay('ns/big')).toBe(0);
    t.forget('ns/big');
    now = 151;
    expect(t.delay('ns/big')).toBe(0);
  });
});
