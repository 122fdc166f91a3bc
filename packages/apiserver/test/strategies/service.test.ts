import { describe, expect, it } from '@jest/globals';
import type { corev1, discoveryv1 } from '@tugboat/core';

import { endpointSliceStrategy } from '../../src/strategies/endpointslice/endpointSliceStrategy.js';
import { endpointsStrategy } from '../../src/strategies/endpoints/endpointsStrategy.js';
import { serviceStrategy } from '../../src/strategies/service/serviceStrategy.js';
import { clone, create, setStatus, update } from './helpers.js';

function service(spec: corev1.ServiceSpec = {}, name = 'web'): corev1.Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
  };
}

describe('service defaults', () => {
  it('fills type, session affinity, protocol, targetPort and IP family', () => {
    const s = service();
    expect(create(serviceStrategy, s)).toEqual([]);
    expect(s.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
  });

  it('keeps a named targetPort and sets externalTrafficPolicy for NodePort', () => {
    const s = service({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http', nodePort: 30080 }] });
    expect(create(serviceStrategy, s)).toEqual([]);
    expect(s.spec?.ports?.[0]?.targetPort).toBe('http');
    expect(s.spec?.externalTrafficPolicy).toBe('Cluster');
  });

  it('defaults the ClientIP affinity timeout to 3 hours', () => {
    const s = service({ sessionAffinity: 'ClientIP' });
    create(serviceStrategy, s);
    expect(s.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds).toBe(10800);
  });

  it('clears status on create', () => {
    const s = service();
    setStatus(s, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } });
    create(serviceStrategy, s);
    expect(s.status).toBeUndefined();
  });
});

describe('service validation', () => {
  it.each<[string, corev1.ServiceSpec, string[]]>([
    ['no ports', { ports: [] }, ['spec.ports: Required value']],
    [
      'unnamed ports when there are several',
      { ports: [{ port: 80 }, { port: 443, name: 'https' }] },
      ['spec.ports[0].name: Required value'],
    ],
    [
      'duplicate port names',
      {
        ports: [
          { port: 80, name: 'web' },
          { port: 81, name: 'web' },
        ],
      },
      ['spec.ports[1].name: Duplicate value: "web"'],
    ],
    [
      'port out of range (targetPort defaults to it)',
      { ports: [{ port: 70000 }] },
      [
        'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    ],
    [
      'invalid targetPort name',
      { ports: [{ port: 80, targetPort: 'HTTP_PORT' }] },
      [
        'spec.ports[0].targetPort: Invalid value: "HTTP_PORT": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.ports[0].targetPort: Invalid value: "HTTP_PORT": must contain at least one letter (a-z)',
      ],
    ],
    [
      'unsupported type',
      { type: 'Magic' },
      [
        'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
    ],
    [
      'nodePort on a ClusterIP service',
      { ports: [{ port: 80, nodePort: 30001 }] },
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    [
      'ExternalName without a name',
      { type: 'ExternalName', ports: [] },
      ['spec.externalName: Required value'],
    ],
    [
      'bad cluster IP',
      { clusterIP: '10.0.0.300' },
      [
        'spec.clusterIP: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        'spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(create(serviceStrategy, service(spec))).toEqual(expected);
  });

  it('accepts an ExternalName service', () => {
    const s = service({ type: 'ExternalName', externalName: 'db.example.com', ports: [] });
    expect(create(serviceStrategy, s)).toEqual([]);
    expect(s.spec?.ipFamilies).toBeUndefined();
  });

  it('allows a headless service without ports', () => {
    expect(create(serviceStrategy, service({ clusterIP: 'None', ports: [] }))).toEqual([]);
  });

  it('requires service names to be DNS-1035 labels', () => {
    const causes = create(serviceStrategy, service({}, '1web'));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(/^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of/);
  });
});

describe('service update', () => {
  it('keeps the allocated cluster IP and node ports when an update leaves them out', () => {
    const old = service({
      type: 'NodePort',
      clusterIP: '10.96.0.10',
      ports: [{ port: 80, nodePort: 30080 }],
    });
    create(serviceStrategy, old);
    const next = service({ type: 'NodePort', ports: [{ port: 80 }] });
    expect(update(serviceStrategy, next, old)).toEqual([]);
    expect(next.spec?.clusterIP).toBe('10.96.0.10');
    expect(next.spec?.ports?.[0]?.nodePort).toBe(30080);
  });

  it('refuses to change an assigned cluster IP', () => {
    const old = service({ clusterIP: '10.96.0.10' });
    create(serviceStrategy, old);
    const next = clone(old);
    next.spec!.clusterIP = '10.96.0.11';
    next.spec!.clusterIPs = ['10.96.0.11'];
    expect(update(serviceStrategy, next, old)).toEqual([
      'spec.clusterIP: Invalid value: "10.96.0.11": field is immutable',
    ]);
  });
});

describe('endpoints', () => {
  it('defaults port protocol and validates addresses and ports', () => {
    const ok: corev1.Endpoints = {
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.1.0.4' }], ports: [{ port: 8080 }] }],
    };
    expect(create(endpointsStrategy, ok)).toEqual([]);
    expect(ok.subsets?.[0]?.ports?.[0]?.protocol).toBe('TCP');

    const bad: corev1.Endpoints = {
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: 'pod-a' }], ports: [{ port: 0 }, { port: 80, name: 'http' }] }, {}],
    };
    expect(create(endpointsStrategy, bad)).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "pod-a": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].ports[0].name: Required value',
      'subsets[0].ports[0].port: Required value',
      'subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`',
    ]);
  });
});

describe('endpointslices', () => {
  const slice = (): discoveryv1.EndpointSlice => ({
    metadata: { name: 'web-abc', namespace: 'default' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.1.0.4'] }],
    ports: [{ name: 'http', port: 8080 }],
  });

  it('requires addressType and valid addresses', () => {
    expect(create(endpointSliceStrategy, slice())).toEqual([]);
    const bad = slice() as Partial<discoveryv1.EndpointSlice> & discoveryv1.EndpointSlice;
    delete (bad as Partial<discoveryv1.EndpointSlice>).addressType;
    bad.endpoints = [{ addresses: [] }];
    expect(create(endpointSliceStrategy, bad)).toEqual([
      'addressType: Required value',
      'endpoints[0].addresses: Required value: must contain at least 1 address',
    ]);
    const v6 = slice();
    v6.endpoints = [{ addresses: ['::1'] }];
    expect(create(endpointSliceStrategy, v6)).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "::1": must be a valid IPv4 address',
    ]);
  });

  it('keeps addressType immutable', () => {
    const old = slice();
    create(endpointSliceStrategy, old);
    const next = clone(old);
    next.addressType = 'IPv6';
    next.endpoints = [{ addresses: ['fd00::1'] }];
    expect(update(endpointSliceStrategy, next, old)).toEqual([
      'addressType: Invalid value: "IPv6": field is immutable',
    ]);
  });
});
