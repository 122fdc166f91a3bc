import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { parseEtcdUrl } from '@tugboat/store-etcd';

import { parseDurationFlag } from './durationFlag.js';
import type { LeaderElectionTimings } from './startSharedControlPlane.js';

/** The `tug control-plane` usage text. */
export const controlPlaneUsage = `usage: tug control-plane [--store etcd://HOST:PORT[,HOST:PORT...]] [--port PORT] [--data-dir DIR]
              [--host ADDR] [--tls-san NAME]... [--service-cluster-ip-range CIDR]
              [--service-node-port-range FROM-TO] [--leader-elect-lease-duration D]
              [--leader-elect-renew-deadline D] [--leader-elect-retry-period D]

  Runs one control-plane process: the API server, and the scheduler and controller manager
  active/standby by Lease election (kube-system/kube-scheduler, kube-system/kube-controller-manager).
  Several processes share one etcd (--store) and one PKI: give them the same --data-dir, or copy
  its pki/ directory from the first to the others before they start.

  --store URL                       etcd endpoints; without it, store-memory in DIR/store (one process only)
  --port PORT                       HTTPS port of the API server (default 6443; 0 picks a free one)
  --data-dir DIR                    the PKI (DIR/pki) and the admin kubeconfig (default .tug)
  --leader-elect-lease-duration D   how long a lease holds without renewal (default 15s)
  --leader-elect-renew-deadline D   how long the leader retries renewing (default 10s)
  --leader-elect-retry-period D     interval of acquire and renew attempts (default 2s)`;

/** The parsed flags of `tug control-plane`. */
export interface ControlPlaneFlags {
  readonly store?: string;
  readonly port: number;
  readonly dataDir: string;
  readonly host: string;
  readonly sans: readonly string[];
  readonly serviceClusterIpRange: string;
  readonly serviceNodePortRange: string;
  readonly leaderElection: LeaderElectionTimings;
}

/** Parses `tug control-plane` flags; a string is the one-line complaint about bad flags. */
export function parseControlPlane(args: string[]): ControlPlaneFlags | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        store: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        'tls-san': { type: 'string', multiple: true },
        'service-cluster-ip-range': { type: 'string' },
        'service-node-port-range': { type: 'string' },
        'leader-elect-lease-duration': { type: 'string' },
        'leader-elect-renew-deadline': { type: 'string' },
        'leader-elect-retry-period': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return (err as Error).message;
  }
  if (values.store !== undefined) {
    try {
      parseEtcdUrl(values.store);
    } catch (err) {
      return `--store: ${(err as Error).message}`;
    }
  }
  const rawPort = values.port ?? '6443';
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(port >= 0 && port <= 65535)) return `--port must be a number from 0 to 65535, got "${rawPort}"`;
  const timings: number[] = [];
  for (const [flag, def] of [
    ['leader-elect-lease-duration', '15s'],
    ['leader-elect-renew-deadline', '10s'],
    ['leader-elect-retry-period', '2s'],
  ] as const) {
    const ms = parseDurationFlag(`--${flag}`, values[flag] ?? def);
    if (typeof ms === 'string') return ms;
    if (ms <= 0) return `--${flag} must be positive`;
    timings.push(ms);
  }
  const [leaseDurationMs = 0, renewDeadlineMs = 0, retryPeriodMs = 0] = timings;
  if (leaseDurationMs <= renewDeadlineMs)
    return '--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline';
  if (renewDeadlineMs <= retryPeriodMs * 1.2)
    return '--leader-elect-renew-deadline must be greater than 1.2 x --leader-elect-retry-period';
  const dataDir = values['data-dir'] ?? '.tug';
  if (dataDir.trim() === '') return '--data-dir must not be empty';
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') return '--host must not be empty';
  const sans = values['tls-san'] ?? [];
  if (sans.some((s) => s.trim() === '' || /[\s,]/.test(s)))
    return '--tls-san takes one DNS name or IP without spaces or commas';
  return {
    ...(values.store !== undefined ? { store: values.store } : {}),
    port,
    dataDir: resolve(dataDir),
    host,
    sans,
    serviceClusterIpRange: values['service-cluster-ip-range'] ?? '127.10.0.0/16',
    serviceNodePortRange: values['service-node-port-range'] ?? '30000-32767',
    leaderElection: { leaseDurationMs, renewDeadlineMs, retryPeriodMs },
  };
}
