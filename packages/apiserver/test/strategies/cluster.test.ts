import { describe, expect, it } from '@jest/globals';
import type { apiextensionsv1, corev1, rbacv1, schedulingv1 } from '@tugboat/core';

import { crdStrategy } from '../../src/strategies/crd/crdStrategy.js';
import { namespaceStrategy } from '../../src/strategies/namespace/namespaceStrategy.js';
import { nodeStrategy } from '../../src/strategies/node/nodeStrategy.js';
import { priorityClassStrategy } from '../../src/strategies/priorityclass/priorityClassStrategy.js';
import {
  clusterRoleBindingStrategy,
  roleBindingStrategy,
} from '../../src/strategies/rbac/bindingStrategies.js';
import { clusterRoleStrategy, roleStrategy } from '../../src/strategies/rbac/roleStrategies.js';
import { clone, create, setStatus, update } from './helpers.js';

describe('namespaces', () => {
  it('starts Active with the kubernetes finalizer and its name label', () => {
    const ns: corev1.Namespace = { metadata: { name: 'team-a' }, status: { phase: 'Terminating' } };
    expect(create(namespaceStrategy, ns, '')).toEqual([]);
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.spec?.finalizers).toEqual(['kubernetes']);
    expect(ns.metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
    expect(namespaceStrategy.fieldsOf?.(ns)).toEqual({ 'status.phase': 'Active' });
  });

  it('adds the kubernetes finalizer even when others are given', () => {
    const ns: corev1.Namespace = { metadata: { name: 'b' }, spec: { finalizers: ['example.com/cleanup'] } };
    create(namespaceStrategy, ns, '');
    expect(ns.spec?.finalizers).toEqual(['example.com/cleanup', 'kubernetes']);
  });

  it('requires a DNS-1123 label name', () => {
    const causes = create(namespaceStrategy, { metadata: { name: 'team.a' } }, '');
    expect(causes).toEqual([
      `metadata.name: Invalid value: "team.a": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  it('rejects non-standard unqualified spec finalizers', () => {
    expect(
      create(namespaceStrategy, { metadata: { name: 'c' }, spec: { finalizers: ['cleanup'] } }, ''),
    ).toEqual([
      'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  it('keeps spec.finalizers and status on a plain update', () => {
    const old: corev1.Namespace = { metadata: { name: 'd' } };
    create(namespaceStrategy, old, '');
    const next = clone(old);
    next.spec = { finalizers: [] };
    setStatus(next, { phase: 'Terminating' });
    expect(update(namespaceStrategy, next, old, '')).toEqual([]);
    expect(next.spec.finalizers).toEqual(['kubernetes']);
    expect(next.status?.phase).toBe('Active');
  });
});

describe('nodes', () => {
  it('keeps the status a node registers with and defaults allocatable to capacity', () => {
    const node: corev1.Node = {
      metadata: { name: 'node-a' },
      status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } },
    };
    expect(create(nodeStrategy, node, '')).toEqual([]);
    // The registry clears status when a strategy has no prepareForCreate; nodes must keep theirs.
    expect('prepareForCreate' in nodeStrategy).toBe(true);
    expect(node.status?.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(node.status?.allocatable).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(nodeStrategy.fieldsOf?.(node)).toEqual({ 'spec.unschedulable': 'false' });
  });

  it('validates taints', () => {
    const node: corev1.Node = {
      metadata: { name: 'node-a' },
      spec: {
        taints: [
          { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
          { key: 'dedicated', value: 'other', effect: 'NoSchedule' },
          { key: 'x', effect: 'Sometimes' },
          { key: '', effect: 'NoExecute' },
        ],
      },
    };
    expect(create(nodeStrategy, node, '')).toEqual([
      'spec.taints[1]: Duplicate value: {"key":"dedicated","value":"other","effect":"NoSchedule"}: taints must be unique by key and effect pair',
      'spec.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"',
      'spec.taints[3].key: Required value',
    ]);
  });

  it('keeps podCIDR immutable once set', () => {
    const old: corev1.Node = { metadata: { name: 'n' }, spec: { podCIDR: '10.244.1.0/24' } };
    const next = clone(old);
    next.spec!.podCIDR = '10.244.2.0/24';
    expect(update(nodeStrategy, next, old, '')).toEqual([
      'spec.podCIDR: Invalid value: "10.244.2.0/24": field is immutable',
    ]);
  });

  it('keeps the old status on a spec update', () => {
    const old: corev1.Node = { metadata: { name: 'n' }, status: { phase: 'Running' } };
    const next = clone(old);
    next.spec = { unschedulable: true };
    setStatus(next, {});
    update(nodeStrategy, next, old, '');
    expect(next.status).toEqual({ phase: 'Running' });
  });
});

describe('rbac', () => {
  it('requires verbs, groups and resources in role rules', () => {
    const role: rbacv1.Role = {
      metadata: { name: 'reader', namespace: 'default' },
      rules: [{ verbs: [] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    };
    expect(create(roleStrategy, role)).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[0].resources: Required value: resource rules must supply at least one resource',
      'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
    ]);
  });

  it('allows non-resource URLs in cluster roles only without resources', () => {
    const ok: rbacv1.ClusterRole = {
      metadata: { name: 'health' },
      rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    };
    expect(create(clusterRoleStrategy, ok, '')).toEqual([]);
    const mixed: rbacv1.ClusterRole = {
      metadata: { name: 'mixed' },
      rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'], resources: ['pods'], apiGroups: [''] }],
    };
    expect(create(clusterRoleStrategy, mixed, '')).toEqual([
      'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });

  it('defaults apiGroups of roleRef and subjects', () => {
    const rb: rbacv1.RoleBinding = {
      metadata: { name: 'read', namespace: 'default' },
      roleRef: { kind: 'Role', name: 'reader', apiGroup: '' },
      subjects: [
        { kind: 'ServiceAccount', name: 'default', namespace: 'default' },
        { kind: 'User', name: 'jane' },
      ],
    };
    expect(create(roleBindingStrategy, rb)).toEqual([]);
    expect(rb.roleRef.apiGroup).toBe('rbac.authorization.k8s.io');
    expect(rb.subjects?.map((s) => s.apiGroup)).toEqual(['', 'rbac.authorization.k8s.io']);
  });

  it('allows only ClusterRole refs and namespaced service accounts in cluster role bindings', () => {
    const crb: rbacv1.ClusterRoleBinding = {
      metadata: { name: 'admins' },
      roleRef: { kind: 'Role', name: 'admin', apiGroup: 'rbac.authorization.k8s.io' },
      subjects: [
        { kind: 'ServiceAccount', name: 'deployer' },
        { kind: 'Robot', name: 'r2' },
      ],
    };
    expect(create(clusterRoleBindingStrategy, crb, '')).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
      'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
  });

  it('keeps roleRef immutable', () => {
    const old: rbacv1.RoleBinding = {
      metadata: { name: 'read', namespace: 'default' },
      roleRef: { kind: 'Role', name: 'reader', apiGroup: 'rbac.authorization.k8s.io' },
    };
    const next = clone(old);
    next.roleRef.name = 'writer';
    expect(update(roleBindingStrategy, next, old)).toEqual([
      'roleRef: Invalid value: {"kind":"Role","name":"writer","apiGroup":"rbac.authorization.k8s.io"}: cannot change roleRef',
    ]);
  });
});

describe('priorityclasses', () => {
  const pc = (name: string, value: number): schedulingv1.PriorityClass => ({ metadata: { name }, value });

  it('defaults preemptionPolicy and caps user values at 1e9', () => {
    const ok = pc('high', 1000000);
    expect(create(priorityClassStrategy, ok, '')).toEqual([]);
    expect(ok.preemptionPolicy).toBe('PreemptLowerPriority');
    expect(create(priorityClassStrategy, pc('huge', 1000000001), '')).toEqual([
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    ]);
    expect(create(priorityClassStrategy, pc('system-mine', 5), '')).toEqual([
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved",
    ]);
  });

  it('keeps value immutable', () => {
    const old = pc('high', 100);
    create(priorityClassStrategy, old, '');
    const next = clone(old);
    next.value = 200;
    expect(update(priorityClassStrategy, next, old, '')).toEqual([
      'value: Forbidden: may not be changed in an update.',
    ]);
  });
});

describe('customresourcedefinitions', () => {
  const crd = (): apiextensionsv1.CustomResourceDefinition => ({
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true }],
    },
    status: { conditions: [{ type: 'Established', status: 'True' }] },
  });

  it('resets status on create and records the storage version', () => {
    const c = crd();
    crdStrategy.prepareForCreate?.(c);
    expect(c.status).toEqual({ storedVersions: ['v1'] });
  });

  it('keeps status on update and adds a new storage version to storedVersions', () => {
    const old = crd();
    crdStrategy.prepareForCreate?.(old);
    const next = clone(old);
    next.spec.versions = [
      { name: 'v1', served: true, storage: false },
      { name: 'v2', served: true, storage: true },
    ];
    setStatus(next, {});
    crdStrategy.prepareForUpdate?.(next, old);
    expect(next.status).toEqual({ storedVersions: ['v1', 'v2'] });
  });
});
