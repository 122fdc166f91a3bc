import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { apiserverModule } from '@tugboat/apiserver';
import { ApiClient, Logger, Runtime, silentLogger } from '@tugboat/core';
import { FakeRuntime } from '@tugboat/runtime-fake';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

import { Kubelet } from '../src/Kubelet.js';
import { kubeletModule } from '../src/module.js';

describe('kubeletModule', () => {
  it('binds one Kubelet taking the ApiClient and Runtime from the container', async () => {
    const rootDir = await mkdtemp(join(tmpdir(), 'tugboat-kubelet-module-'));
    const container = new Container();
    const runtime = new FakeRuntime();
    container.bind(Logger).toConstantValue(silentLogger);
    container.bind(Runtime).toConstantValue(runtime);
    container.load(memoryStoreModule(), apiserverModule(), kubeletModule({ nodeName: 'n1', rootDir }));
    const kubelet = container.get(Kubelet);
    expect(container.get(Kubelet)).toBe(kubelet);
    expect(kubelet.nodeName).toBe('n1');
    expect(kubelet.options.runtime).toBe(runtime);
    expect(kubelet.options.client).toBe(container.get(ApiClient));
    expect(kubelet.serverPort).toBe(0);
    await container.unbindAllAsync();
    await rm(rootDir, { recursive: true, force: true });
  });
});
