import { existsSync } from 'node:fs';

import { status as GrpcStatus, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { describe, expect, it } from '@jest/globals';
import { imagePullReason } from '@tugboat/core';

import { criProtoPath, grpcAddress, loadCriServices, protoLoaderOptions } from '../src/internal/CriClient.js';
import { imageServiceMethods, type CriMethod } from '../src/internal/criTypes.js';
import { translateError } from '../src/internal/errors.js';

function grpcError(code: GrpcStatus, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });
}

const ctx = (method: CriMethod, subject?: string) => ({
  method,
  socket: '/run/test/containerd.sock',
  timeoutMs: 1234,
  ...(subject === undefined ? {} : { subject }),
});

describe('cri.proto', () => {
  it('ships next to the client module and loads as package runtime.v1', () => {
    expect(existsSync(criProtoPath)).toBe(true);
    const def = loadSync(criProtoPath, protoLoaderOptions);
    expect(Object.keys(def)).toEqual(
      expect.arrayContaining(['runtime.v1.RuntimeService', 'runtime.v1.ImageService']),
    );
  });

  it('declares every method the client calls, on the service that serves it', () => {
    const { runtime, image } = loadCriServices();
    const methods: CriMethod[] = [
      'Version',
      'RunPodSandbox',
      'StopPodSandbox',
      'RemovePodSandbox',
      'PodSandboxStatus',
      'ListPodSandbox',
      'CreateContainer',
      'StartContainer',
      'StopContainer',
      'RemoveContainer',
      'ListContainers',
      'ContainerStatus',
      'ContainerStats',
      'ExecSync',
      'Exec',
      'ListImages',
      'ImageStatus',
      'PullImage',
      'RemoveImage',
    ];
    for (const m of methods) {
      const service = imageServiceMethods.has(m) ? image : runtime;
      expect(typeof (service.prototype as unknown as Record<string, unknown>)[m]).toBe('function');
    }
  });

  it('keeps the wire field numbers of CRI for the messages whose layout matters most', () => {
    const def = loadSync(criProtoPath, protoLoaderOptions);
    const fields = (name: string): Record<string, number> => {
      const type = (def[`runtime.v1.${name}`] as { type: { field: { name: string; number: number }[] } })
        .type;
      return Object.fromEntries(type.field.map((f) => [f.name, f.number]));
    };
    expect(fields('ContainerConfig')).toMatchObject({
      metadata: 1,
      image: 2,
      command: 3,
      args: 4,
      workingDir: 5,
      envs: 6,
      labels: 9,
      logPath: 11,
      linux: 15,
    });
    expect(fields('ContainerStatus')).toMatchObject({
      state: 3,
      exitCode: 7,
      reason: 10,
      labels: 12,
      logPath: 15,
    });
    expect(fields('PodSandboxConfig')).toMatchObject({
      metadata: 1,
      hostname: 2,
      logDirectory: 3,
      labels: 6,
      linux: 8,
    });
    expect(fields('LinuxSandboxSecurityContext')).toMatchObject({ namespaceOptions: 1, privileged: 6 });
  });
});

describe('grpcAddress', () => {
  it('turns a socket path into a unix address and keeps explicit addresses', () => {
    expect(grpcAddress('/run/x.sock')).toBe('unix:///run/x.sock');
    expect(grpcAddress('unix:///run/x.sock')).toBe('unix:///run/x.sock');
  });
});

describe('translateError', () => {
  it('maps NOT_FOUND to NotFound naming the container or sandbox', () => {
    const c = translateError(
      grpcError(GrpcStatus.NOT_FOUND, 'container "abc": not found'),
      ctx('ContainerStatus', 'abc'),
    );
    expect(c.code).toBe('NotFound');
    expect(c.details).toMatchObject({ kind: 'Container', name: 'abc' });
    const s = translateError(
      grpcError(GrpcStatus.NOT_FOUND, 'sandbox "s": not found'),
      ctx('PodSandboxStatus', 's'),
    );
    expect(s.details).toMatchObject({ kind: 'PodSandbox', name: 's' });
    expect(
      translateError(grpcError(GrpcStatus.UNKNOWN, 'failed to find x: not found'), ctx('StartContainer', 'x'))
        .code,
    ).toBe('NotFound');
  });

  it('maps UNAVAILABLE to Unavailable and DEADLINE_EXCEEDED to Timeout, naming the socket', () => {
    const down = translateError(grpcError(GrpcStatus.UNAVAILABLE, 'connect ENOENT'), ctx('Version'));
    expect(down.code).toBe('Unavailable');
    expect(down.message).toContain('/run/test/containerd.sock');
    const slow = translateError(
      grpcError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'),
      ctx('ListContainers'),
    );
    expect(slow.code).toBe('Timeout');
    expect(slow.message).toContain('1234 ms');
  });

  it('turns pull failures into ImagePull with a reason', () => {
    const reason = (details: string) =>
      imagePullReason(translateError(grpcError(GrpcStatus.UNKNOWN, details), ctx('PullImage', 'img')));
    expect(reason('failed to parse image reference "X": invalid reference format')).toBe('InvalidImageName');
    expect(reason('failed to resolve reference "r": docker.io/x: not found')).toBe('NotFound');
    expect(reason('pull access denied: 401 Unauthorized')).toBe('Unauthorized');
    expect(reason('dial tcp 127.0.0.1:1: connect: connection refused')).toBe('Unavailable');
  });

  it('turns a create from a missing image into ImagePull / NotFound and keeps the cause', () => {
    const cause = grpcError(GrpcStatus.NOT_FOUND, 'failed to resolve image "docker.io/x/y:1": not found');
    const err = translateError(cause, ctx('CreateContainer', 'sandbox-1'));
    expect(err.code).toBe('ImagePull');
    expect(imagePullReason(err)).toBe('NotFound');
    expect(err.details.name).toBe('docker.io/x/y:1');
    expect(err.cause).toBe(cause);
  });

  it('never lets a non-gRPC error through untyped', () => {
    expect(translateError(new Error('boom'), ctx('Version')).code).toBe('Internal');
    expect(translateError('weird', ctx('Version')).code).toBe('Internal');
  });
});
