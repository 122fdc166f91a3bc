import { describe, expect, it } from '@jest/globals';
import { ApiError, imagePullReason, parseCriLog } from '@tugboat/core';

import { criLines } from '../src/internal/CriLogs.js';
import { translateError } from '../src/internal/errors.js';
import { familiarImage, normalizeImage } from '../src/internal/imageRef.js';
import { decodeUserLabels, encodeUserLabels, labelFilters } from '../src/internal/labels.js';
import { containerSpec, sandboxSpec } from '../src/internal/specs.js';

const ctx = { socketPath: '/run/x/docker.sock', kind: 'container', name: 'abc' } as const;

describe('image references', () => {
  it('normalises Docker short names and prints fully qualified ones the way Docker does', () => {
    expect(normalizeImage('busybox:1.35')).toBe('docker.io/library/busybox:1.35');
    expect(normalizeImage('tugboat/pause:1.0')).toBe('docker.io/tugboat/pause:1.0');
    expect(familiarImage('docker.io/library/busybox:1.35')).toBe('busybox:1.35');
    expect(familiarImage('docker.io/tugboat/pause:1.0')).toBe('tugboat/pause:1.0');
    expect(familiarImage('127.0.0.1:5000/a/b')).toBe('127.0.0.1:5000/a/b:latest');
    expect(normalizeImage('a'.repeat(64))).toBe(`sha256:${'a'.repeat(64)}`);
  });

  it('rejects an invalid reference with ImagePull, reason InvalidImageName', () => {
    let err: unknown;
    try {
      normalizeImage('BUSYBOX');
    } catch (e) {
      err = e;
    }
    expect(imagePullReason(err)).toBe('InvalidImageName');
  });
});

describe('labels', () => {
  it('round-trips user labels and annotations apart from each other and from image labels', () => {
    const docker = { ...encodeUserLabels({ app: 'web', 'a/b': '1' }, { app: 'note' }), maintainer: 'image' };
    expect(decodeUserLabels(docker)).toEqual({
      labels: { app: 'web', 'a/b': '1' },
      annotations: { app: 'note' },
    });
    expect(labelFilters('sandbox', { app: 'web' })).toContain('io.tugboat.label/app=web');
  });
});

describe('CRI log lines from Docker frames', () => {
  it('tags full lines F, a message without newline P, and skips frames not after the resume point', () => {
    const ts = '2026-11-27T05:00:00.000000001Z';
    expect(criLines(`${ts} hello\n`, 'stdout')).toBe(`${ts} stdout F hello\n`);
    expect(criLines(`${ts} part`, 'stderr')).toBe(`${ts} stderr P part\n`);
    expect(criLines(`${ts} old\n`, 'stdout', ts)).toBe('');
    const text = criLines(`${ts} a`, 'stdout') + criLines(`${ts} b\n`, 'stdout');
    expect(parseCriLog(text).map((l) => l.content)).toEqual(['ab']);
  });
});

describe('error translation', () => {
  it('turns socket errors into Unavailable naming the socket', () => {
    const err = translateError(Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' }), ctx);
    expect(err.code).toBe('Unavailable');
    expect(err.message).toContain('/run/x/docker.sock');
  });

  it('turns Engine statuses into NotFound, AlreadyExists and Internal, keeping the cause', () => {
    const http = (statusCode: number, message: string): Error =>
      Object.assign(new Error(message), { statusCode, json: { message } });
    const notFound = translateError(http(404, 'No such container: abc'), ctx);
    expect(notFound.code).toBe('NotFound');
    expect(notFound.cause).toBeInstanceOf(Error);
    expect(translateError(http(409, 'Conflict. The container name "/x" is already in use'), ctx).code).toBe(
      'AlreadyExists',
    );
    expect(translateError(http(500, 'boom'), ctx).code).toBe('Internal');
    const own = new ApiError('Gone', 'x');
    expect(translateError(own, ctx)).toBe(own);
  });
});

describe('pod DNS settings', () => {
  const sandbox = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u', attempt: 0 },
    logDirectory: '/var/log/pods/x',
    dnsConfig: { servers: ['10.96.0.10'], searches: ['ns.svc.cluster.local'], options: ['ndots:5'] },
  };
  const container = { metadata: { name: 'c', attempt: 0 }, image: 'busybox:1.35', logPath: 'c/0.log' };

  it('writes the sandbox config DNS into the pause container, which app containers share', () => {
    expect(sandboxSpec(sandbox, 'tugboat/pause:1.0').HostConfig).toMatchObject({
      Dns: ['10.96.0.10'],
      DnsSearch: ['ns.svc.cluster.local'],
      DnsOptions: ['ndots:5'],
    });
    expect(containerSpec('sb', container, sandbox, 'busybox:1.35').HostConfig?.Dns).toBeUndefined();
  });

  it('gives host-network app containers the DNS settings themselves, and leaves Docker defaults when empty', () => {
    const host = { ...sandbox, hostNetwork: true };
    expect(containerSpec('sb', container, host, 'busybox:1.35').HostConfig).toMatchObject({
      NetworkMode: 'host',
      Dns: ['10.96.0.10'],
      DnsSearch: ['ns.svc.cluster.local'],
    });
    const none = { ...sandbox, dnsConfig: { servers: [], searches: [], options: [] } };
    const hc = sandboxSpec(none, 'tugboat/pause:1.0').HostConfig ?? {};
    expect([hc.Dns, hc.DnsSearch, hc.DnsOptions]).toEqual([undefined, undefined, undefined]);
  });
});
