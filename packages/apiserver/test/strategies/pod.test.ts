import { describe, expect, it } from '@jest/globals';
import type { corev1 } from '@tugboat/core';

import { podStrategy } from '../../src/strategies/pod/podStrategy.js';
import { clone, create, setStatus, update } from './helpers.js';

function pod(spec: Partial<corev1.PodSpec> = {}, name = 'web'): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], ...spec },
  };
}

function createdPod(spec: Partial<corev1.PodSpec> = {}): corev1.Pod {
  const p = pod(spec);
  expect(create(podStrategy, p)).toEqual([]);
  return p;
}

describe('pod defaults', () => {
  it('fills the pod-level defaults upstream applies', () => {
    const p = createdPod();
    expect(p.spec).toMatchObject({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccountName: 'default',
      serviceAccount: 'default',
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    });
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry.local:5000/team/app', 'Always'],
    ['registry.local:5000/team/app:v2', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
  ])('image %s gets imagePullPolicy %s', (image, policy) => {
    const p = createdPod({ containers: [{ name: 'app', image }] });
    expect(p.spec?.containers[0]?.imagePullPolicy).toBe(policy);
  });

  it('keeps an explicit imagePullPolicy', () => {
    const p = createdPod({ containers: [{ name: 'app', image: 'nginx', imagePullPolicy: 'Never' }] });
    expect(p.spec?.containers[0]?.imagePullPolicy).toBe('Never');
  });

  it('defaults container termination message, port protocol and probe timings', () => {
    const p = createdPod({
      containers: [
        {
          name: 'app',
          image: 'nginx:1',
          ports: [{ containerPort: 80 }],
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
        },
      ],
    });
    const c = p.spec?.containers[0];
    expect(c?.terminationMessagePath).toBe('/dev/termination-log');
    expect(c?.terminationMessagePolicy).toBe('File');
    expect(c?.ports?.[0]?.protocol).toBe('TCP');
    expect(c?.livenessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c?.readinessProbe?.periodSeconds).toBe(5);
  });

  it('defaults requests to limits when only limits are set', () => {
    const p = createdPod({
      containers: [
        {
          name: 'app',
          image: 'nginx:1',
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
        },
      ],
    });
    expect(p.spec?.containers[0]?.resources?.requests).toEqual({ cpu: '100m', memory: '128Mi' });
  });

  it('maps host-network container ports to host ports', () => {
    const p = createdPod({
      hostNetwork: true,
      containers: [{ name: 'app', image: 'nginx:1', ports: [{ containerPort: 8080 }] }],
    });
    expect(p.spec?.containers[0]?.ports?.[0]?.hostPort).toBe(8080);
  });

  it('tolerates not-ready and unreachable nodes for 300 s unless told otherwise', () => {
    const p = createdPod();
    expect(p.spec?.tolerations).toEqual([
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ]);
    const tolerant = createdPod({ tolerations: [{ operator: 'Exists' }] });
    expect(tolerant.spec?.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('resolves the priority of the system priority classes', () => {
    const p = createdPod({ priorityClassName: 'system-node-critical' });
    expect(p.spec?.priority).toBe(2000001000);
  });

  it('defaults a volume without a source to emptyDir and file modes to 0644', () => {
    const p = createdPod({
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'settings' } }],
      containers: [{ name: 'app', image: 'nginx:1', volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }] }],
    });
    expect(p.spec?.volumes?.[0]).toEqual({ name: 'scratch', emptyDir: {} });
    expect(p.spec?.volumes?.[1]?.configMap?.defaultMode).toBe(420);
  });
});

describe('pod status on create', () => {
  it('replaces any submitted status with phase Pending', () => {
    const p = pod();
    setStatus(p, { phase: 'Running', podIP: '10.0.0.1' });
    create(podStrategy, p);
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it.each([
    [{}, 'BestEffort'],
    [{ requests: { cpu: '100m' } }, 'Burstable'],
    [{ limits: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } }, 'Guaranteed'],
    [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } }, 'Burstable'],
    [{ limits: { cpu: '1' } }, 'Burstable'],
  ] as [corev1.ResourceRequirements, string][])('resources %j give qosClass %s', (resources, qos) => {
    const p = createdPod({ containers: [{ name: 'app', image: 'nginx:1', resources }] });
    expect(p.status?.qosClass).toBe(qos);
  });
});

describe('pod validation', () => {
  it.each<[string, Partial<corev1.PodSpec>, string[]]>([
    ['no containers', { containers: [] }, ['spec.containers: Required value']],
    ['missing image', { containers: [{ name: 'app' }] }, ['spec.containers[0].image: Required value']],
    [
      'bad container name',
      { containers: [{ name: 'App_1', image: 'x:1' }] },
      [
        `spec.containers[0].name: Invalid value: "App_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    [
      'duplicate names across init and app containers',
      { initContainers: [{ name: 'app', image: 'x:1' }], containers: [{ name: 'app', image: 'x:1' }] },
      ['spec.containers[0].name: Duplicate value: "app"'],
    ],
    [
      'port out of range and duplicate port names',
      {
        containers: [
          {
            name: 'app',
            image: 'x:1',
            ports: [
              { name: 'http', containerPort: 70000 },
              { name: 'http', containerPort: 81 },
            ],
          },
        ],
      },
      [
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[1].name: Duplicate value: "http"',
      ],
    ],
    [
      'unsupported protocol',
      { containers: [{ name: 'app', image: 'x:1', ports: [{ containerPort: 53, protocol: 'ICMP' }] }] },
      [
        'spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      ],
    ],
    [
      'bad restart policy',
      { restartPolicy: 'Sometimes' },
      [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"',
      ],
    ],
    [
      'bad env name',
      { containers: [{ name: 'app', image: 'x:1', env: [{ name: '1ABC', value: 'v' }, { name: '' }] }] },
      [
        `spec.containers[0].env[0].name: Invalid value: "1ABC": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`,
        'spec.containers[0].env[1].name: Required value',
      ],
    ],
    [
      'mount of an unknown volume and duplicate volume names',
      {
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'data', emptyDir: {} },
        ],
        containers: [{ name: 'app', image: 'x:1', volumeMounts: [{ name: 'logs', mountPath: '/logs' }] }],
      },
      [
        'spec.volumes[1].name: Duplicate value: "data"',
        'spec.containers[0].volumeMounts[0].name: Not found: "logs"',
      ],
    ],
    [
      'volume with two sources',
      { volumes: [{ name: 'data', emptyDir: {}, hostPath: { path: '/srv' } }] },
      ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'],
    ],
    [
      'request above limit',
      {
        containers: [
          { name: 'app', image: 'x:1', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
        ],
      },
      [
        'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
      ],
    ],
    [
      'malformed and negative quantities',
      { containers: [{ name: 'app', image: 'x:1', resources: { requests: { memory: 'lots', cpu: '-1' } } }] },
      [
        `spec.containers[0].resources.requests[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
        'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0',
      ],
    ],
    [
      'probe without handler and with two handlers',
      {
        containers: [
          {
            name: 'app',
            image: 'x:1',
            livenessProbe: {},
            readinessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 } },
          },
        ],
      },
      [
        'spec.containers[0].livenessProbe: Required value: must specify a handler type',
        'spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
      ],
    ],
    [
      'liveness successThreshold other than 1',
      {
        containers: [
          { name: 'app', image: 'x:1', livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } },
        ],
      },
      ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    ],
    [
      'toleration with bad effect and Exists with a value',
      { tolerations: [{ key: 'a', operator: 'Exists', value: 'x', effect: 'Sometimes' }] },
      [
        `spec.tolerations[0].operator: Invalid value: "Exists": value must be empty when \`operator\` is 'Exists'`,
        'spec.tolerations[0].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"',
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(create(podStrategy, pod(spec))).toEqual(expected);
  });

  it('reports every bad field at once', () => {
    const causes = create(
      podStrategy,
      pod({
        containers: [{ name: '' }, { name: 'b', image: 'x', ports: [{ containerPort: 0 }] }],
        restartPolicy: 'x',
      }),
    );
    expect(causes).toEqual([
      'spec.containers[0].name: Required value',
      'spec.containers[0].image: Required value',
      'spec.containers[1].ports[0].containerPort: Required value',
      'spec.restartPolicy: Unsupported value: "x": supported values: "Always", "Never", "OnFailure"',
    ]);
  });

  it('validates the pod name as a DNS-1123 subdomain and labels', () => {
    const p = pod({}, 'Web_1');
    p.metadata = { ...p.metadata, labels: { 'bad key!': 'v', ok: 'not ok!' } };
    const causes = create(podStrategy, p);
    expect(causes[0]).toMatch(/^metadata\.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain/);
    expect(causes[1]).toMatch(/^metadata\.labels: Invalid value: "bad key!": name part must consist of/);
    expect(causes[2]).toMatch(
      /^metadata\.labels: Invalid value: "not ok!": a valid label must be an empty string/,
    );
    expect(causes).toHaveLength(3);
  });

  it('reports a volume without a source when defaulting has not run', () => {
    const p = pod({
      volumes: [{ name: 'data' }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      containers: [{ name: 'app', image: 'x:1', imagePullPolicy: 'IfNotPresent' }],
    });
    expect(podStrategy.validate?.(p, {})).toEqual([
      {
        reason: 'FieldValueRequired',
        field: 'spec.volumes[0]',
        message: 'Required value: must specify a volume type',
      },
    ]);
  });

  it('rejects two containers binding the same host port', () => {
    const causes = create(
      podStrategy,
      pod({
        containers: [
          { name: 'a', image: 'x:1', ports: [{ containerPort: 80, hostPort: 8080 }] },
          { name: 'b', image: 'x:1', ports: [{ containerPort: 81, hostPort: 8080 }] },
        ],
      }),
    );
    expect(causes).toEqual(['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']);
  });

  it('requires env valueFrom to name exactly one source', () => {
    const causes = create(
      podStrategy,
      pod({
        containers: [
          {
            name: 'app',
            image: 'x:1',
            env: [
              { name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'B', valueFrom: {} },
            ],
          },
        ],
      }),
    );
    expect(causes).toEqual([
      'spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      'spec.containers[0].env[1].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    ]);
  });

  it('rejects duplicate mount paths', () => {
    const causes = create(
      podStrategy,
      pod({
        volumes: [{ name: 'a', emptyDir: {} }],
        containers: [
          {
            name: 'app',
            image: 'x:1',
            volumeMounts: [
              { name: 'a', mountPath: '/data' },
              { name: 'a', mountPath: '/data' },
            ],
          },
        ],
      }),
    );
    expect(causes).toEqual([
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
    ]);
  });

  it('rejects ephemeral containers on create', () => {
    expect(
      create(podStrategy, pod({ ephemeralContainers: [{ name: 'debug', image: 'busybox:1' }] })),
    ).toEqual(['spec.ephemeralContainers: Forbidden: cannot be set on create']);
  });
});

describe('pod update', () => {
  it('allows changing images, labels, and adding tolerations', () => {
    const old = createdPod({ tolerations: [{ key: 'a', operator: 'Exists' }] });
    const next = clone(old);
    next.spec!.containers[0]!.image = 'nginx:1.26';
    next.spec!.tolerations!.push({ key: 'b', operator: 'Exists' });
    next.metadata!.labels = { tier: 'web' };
    expect(update(podStrategy, next, old)).toEqual([]);
  });

  it('forbids other spec changes with the upstream message', () => {
    const old = createdPod();
    const next = clone(old);
    next.spec!.containers[0]!.ports = [{ containerPort: 80 }];
    expect(update(podStrategy, next, old)).toEqual([
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    ]);
  });

  it('keeps spec.nodeName once set', () => {
    const old = createdPod({ nodeName: 'node-a' });
    const next = clone(old);
    next.spec!.nodeName = 'node-b';
    expect(update(podStrategy, next, old)).toEqual([
      'spec.nodeName: Invalid value: "node-b": field is immutable',
    ]);
  });

  it('forbids removing a toleration', () => {
    const old = createdPod({ tolerations: [{ key: 'a', operator: 'Exists' }] });
    const next = clone(old);
    next.spec!.tolerations = [];
    expect(update(podStrategy, next, old)).toEqual([
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    ]);
  });

  it('lets activeDeadlineSeconds shrink but not grow', () => {
    const old = createdPod({ activeDeadlineSeconds: 100 });
    const shorter = clone(old);
    shorter.spec!.activeDeadlineSeconds = 50;
    expect(update(podStrategy, shorter, old)).toEqual([]);
    const longer = clone(old);
    longer.spec!.activeDeadlineSeconds = 200;
    expect(update(podStrategy, longer, old)).toEqual([
      'spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value',
    ]);
  });

  it('keeps the old status on a main-resource update and the old spec on a status update', () => {
    const old = createdPod();
    setStatus(old, { phase: 'Running', podIP: '10.1.0.5' });
    const next = clone(old);
    setStatus(next, { phase: 'Failed' });
    podStrategy.prepareForUpdate?.(next, old);
    expect(next.status).toEqual({ phase: 'Running', podIP: '10.1.0.5' });

    const statusWrite = clone(old);
    setStatus(statusWrite, { phase: 'Succeeded' });
    statusWrite.spec!.containers[0]!.image = 'evil:1';
    podStrategy.prepareForStatusUpdate?.(statusWrite, old);
    expect(statusWrite.spec).toEqual(old.spec);
    expect(statusWrite.status).toEqual({ phase: 'Succeeded' });
  });
});

describe('pod status writes', () => {
  function statusWrite(old: corev1.Pod, status: corev1.PodStatus): string[] {
    const next = clone(old);
    setStatus(next, status);
    podStrategy.prepareForStatusUpdate?.(next, old);
    return (
      podStrategy.validateUpdate?.(next, old, { namespace: 'default', subresource: 'status' }) ?? []
    ).map((c) => `${c.field ?? ''}: ${c.message}`);
  }

  it('accepts what a node agent reports', () => {
    const old = createdPod({ nodeName: 'node-a' });
    expect(
      statusWrite(old, {
        phase: 'Running',
        podIP: '127.64.0.5',
        podIPs: [{ ip: '127.64.0.5' }],
        hostIP: '127.0.0.1',
      }),
    ).toEqual([]);
  });

  it('rejects unknown phases, bad IPs and leaving a terminal phase', () => {
    const old = createdPod();
    expect(statusWrite(old, { phase: 'Sleeping', podIP: 'ten' })).toEqual([
      'status.phase: Unsupported value: "Sleeping": supported values: "Failed", "Pending", "Running", "Succeeded", "Unknown"',
      'status.podIP: Invalid value: "ten": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    setStatus(old, { phase: 'Succeeded' });
    expect(statusWrite(old, { phase: 'Running' })).toEqual([
      'status.phase: Forbidden: cannot transition from terminal phase Succeeded to Running',
    ]);
  });
});

describe('pod field selectors', () => {
  it('exposes the selectable fields', () => {
    const p = createdPod({ nodeName: 'node-a' });
    expect(podStrategy.fieldsOf?.(p)).toEqual({
      'spec.nodeName': 'node-a',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'default',
      'spec.hostNetwork': 'false',
      'status.phase': 'Pending',
      'status.podIP': '',
      'status.nominatedNodeName': '',
    });
  });
});
