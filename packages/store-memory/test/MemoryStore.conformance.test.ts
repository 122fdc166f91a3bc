import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describeStoreConformance } from '@tugboat/testing';

import { MemoryStore } from '../src/index.js';

describeStoreConformance('store-memory (in memory)', async () => ({ store: await MemoryStore.open() }));

describeStoreConformance('store-memory (with a data directory)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tugboat-store-'));
  // A small snapshot interval makes the suite cross log rotations too.
  const store = await MemoryStore.open({ dataDir, snapshotEvery: 64 });
  return { store, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
});
