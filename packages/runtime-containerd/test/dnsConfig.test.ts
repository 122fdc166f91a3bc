import { describe, expect, it } from '@jest/globals';

import { toWireSandboxConfig } from '../src/internal/convert.js';

const base = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u', attempt: 0 },
  logDirectory: '/var/log/pods/x',
};

describe('the sandbox DNS config on the CRI wire', () => {
  it('passes servers, searches and options as PodSandboxConfig.dns_config', () => {
    const wire = toWireSandboxConfig({
      ...base,
      dnsConfig: {
        servers: ['10.96.0.10'],
        searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
        options: ['ndots:5'],
      },
    });
    expect(wire.dnsConfig).toEqual({
      servers: ['10.96.0.10'],
      searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      options: ['ndots:5'],
    });
  });

  it('keeps the older dnsServers shorthand, and sends no dns_config when there is nothing to say', () => {
    expect(toWireSandboxConfig({ ...base, dnsServers: ['10.0.0.1'] }).dnsConfig).toEqual({
      servers: ['10.0.0.1'],
      searches: [],
      options: [],
    });
    expect(toWireSandboxConfig(base).dnsConfig).toBeUndefined();
    const empty = { servers: [], searches: [], options: [] };
    expect(toWireSandboxConfig({ ...base, dnsConfig: empty }).dnsConfig).toBeUndefined();
  });
});
