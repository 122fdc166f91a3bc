import { describe, expect, it } from '@jest/globals';
import type { appsv1 } from '@tugboat/core';

import { daemonSetStrategy } from '../../src/strategies/daemonset/daemonSetStrategy.js';
import { deploymentStrategy } from '../../src/strategies/deployment/deploymentStrategy.js';
import { replicaSetStrategy } from '../../src/strategies/replicaset/replicaSetStrategy.js';
import { clone, create, update } from './helpers.js';

function deployment(spec: Partial<appsv1.DeploymentSpec> = {}): appsv1.Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
      },
      ...spec,
    },
  };
}

describe('deployment defaults', () => {
  it('fills replicas, strategy 25%/25%, history limit, progress deadline and template defaults', () => {
    const d = deployment();
    expect(create(deploymentStrategy, d)).toEqual([]);
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(d.spec?.template.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
    });
    expect(d.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
    // Pod-only admission defaults do not apply to templates.
    expect(d.spec?.template.spec?.serviceAccountName).toBeUndefined();
  });

  it('does not add rollingUpdate to a Recreate deployment', () => {
    const d = deployment({ strategy: { type: 'Recreate' } });
    expect(create(deploymentStrategy, d)).toEqual([]);
    expect(d.spec?.strategy).toEqual({ type: 'Recreate' });
  });

  it('clears status on create', () => {
    const d = deployment();
    d.status = { replicas: 5 };
    create(deploymentStrategy, d);
    expect(d.status).toBeUndefined();
  });
});

describe('deployment validation', () => {
  it.each<[string, Partial<appsv1.DeploymentSpec>, string[]]>([
    [
      'selector not matching template labels',
      { selector: { matchLabels: { app: 'api' } } },
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'negative replicas',
      { replicas: -1 },
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'Recreate with rollingUpdate',
      { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } },
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    [
      'both surge and unavailable zero',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } },
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'],
    ],
    [
      'bad percent and over 100%',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots', maxUnavailable: '150%' } } },
      [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
        `spec.strategy.rollingUpdate.maxSurge: Invalid value: "lots": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      ],
    ],
    [
      'unknown strategy type',
      { strategy: { type: 'BlueGreen' } },
      ['spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"'],
    ],
    [
      'template restartPolicy Never',
      {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'x:1' }] },
        },
      },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'template container without image',
      { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app' }] } } },
      ['spec.template.spec.containers[0].image: Required value'],
    ],
    [
      'progress deadline not above minReadySeconds',
      { minReadySeconds: 30, progressDeadlineSeconds: 30 },
      ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds'],
    ],
    [
      'bad selector expression',
      { selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' }] } },
      [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(create(deploymentStrategy, deployment(spec))).toEqual(expected);
  });

  it('requires a selector', () => {
    const d = deployment();
    delete (d.spec as Partial<appsv1.DeploymentSpec>).selector;
    expect(create(deploymentStrategy, d)).toEqual(['spec.selector: Required value']);
  });

  it('rejects an empty selector', () => {
    expect(create(deploymentStrategy, deployment({ selector: {} }))).toEqual([
      'spec.selector: Invalid value: {}: empty selector is invalid for deployment',
    ]);
  });

  it('matches template labels through matchExpressions', () => {
    const d = deployment({
      selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] },
    });
    expect(create(deploymentStrategy, d)).toEqual([]);
  });
});

describe('deployment update', () => {
  it('keeps the selector immutable but allows scaling and image changes', () => {
    const old = deployment();
    create(deploymentStrategy, old);
    const scaled = clone(old);
    scaled.spec!.replicas = 5;
    scaled.spec!.template.spec!.containers[0]!.image = 'nginx:1.26';
    expect(update(deploymentStrategy, scaled, old)).toEqual([]);

    const moved = clone(old);
    moved.spec!.selector = { matchLabels: { app: 'web', tier: 'x' } };
    moved.spec!.template.metadata!.labels = { app: 'web', tier: 'x' };
    expect(update(deploymentStrategy, moved, old)).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable',
    ]);
  });

  it('keeps status on update and spec on status update', () => {
    const old = deployment();
    create(deploymentStrategy, old);
    old.status = { replicas: 1, readyReplicas: 1 };
    const next = clone(old);
    next.status = { replicas: 9 };
    deploymentStrategy.prepareForUpdate?.(next, old);
    expect(next.status).toEqual({ replicas: 1, readyReplicas: 1 });
    const statusWrite = clone(old);
    statusWrite.spec!.replicas = 7;
    statusWrite.status = { replicas: 2 };
    deploymentStrategy.prepareForStatusUpdate?.(statusWrite, old);
    expect(statusWrite.spec?.replicas).toBe(1);
    expect(statusWrite.status).toEqual({ replicas: 2 });
  });
});

describe('replicaset', () => {
  const rs = (): appsv1.ReplicaSet => ({
    metadata: { name: 'web-abc', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'nginx:1' }] },
      },
    },
  });

  it('defaults replicas to 1 and validates like a deployment', () => {
    const r = rs();
    expect(create(replicaSetStrategy, r)).toEqual([]);
    expect(r.spec?.replicas).toBe(1);
    const bad = rs();
    bad.spec!.template!.metadata!.labels = { app: 'other' };
    expect(create(replicaSetStrategy, bad)).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    ]);
  });

  it('keeps the selector immutable', () => {
    const old = rs();
    create(replicaSetStrategy, old);
    const next = clone(old);
    next.spec!.selector = { matchLabels: { app: 'web2' } };
    next.spec!.template!.metadata!.labels = { app: 'web2' };
    expect(update(replicaSetStrategy, next, old)).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable',
    ]);
  });
});

describe('daemonset', () => {
  const ds = (): appsv1.DaemonSet => ({
    metadata: { name: 'agent', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'agent', image: 'agent:1' }] },
      },
    },
  });

  it('defaults updateStrategy RollingUpdate with maxUnavailable 1', () => {
    const d = ds();
    expect(create(daemonSetStrategy, d)).toEqual([]);
    expect(d.spec?.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    expect(d.spec?.revisionHistoryLimit).toBe(10);
  });

  it('rejects unknown update strategies', () => {
    const d = ds();
    d.spec!.updateStrategy = { type: 'Rolling' };
    expect(create(daemonSetStrategy, d)).toEqual([
      'spec.updateStrategy.type: Unsupported value: "Rolling": supported values: "OnDelete", "RollingUpdate"',
    ]);
  });
});
