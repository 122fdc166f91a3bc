import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateSchemas, type GeneratedSchemas, type Schema } from './generateSchemas.js';

/** Bumped whenever the generator's output changes, so stale disk caches are ignored. */
const generatorVersion = 2;

let memory: GeneratedSchemas | undefined;

/**
 * The generated built-in schemas: generated once per process (parsing the .d.ts files takes
 * seconds) and kept on disk under the OS temp directory, keyed by the kubernetes-types version,
 * so later processes start fast.
 */
export function builtinSchemas(): GeneratedSchemas {
  if (memory !== undefined) return memory;
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve('kubernetes-types/package.json'), 'utf8')) as {
    version: string;
  };
  const dir = join(tmpdir(), 'tugboat-openapi');
  const file = join(dir, `schemas-${pkg.version}-g${generatorVersion}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as {
      schemas: [string, Schema][];
      kinds: [string, string][];
    };
    memory = { schemas: new Map(cached.schemas), kinds: new Map(cached.kinds) };
    return memory;
  } catch {
    // No usable cache: generate below.
  }
  memory = generateSchemas();
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ schemas: [...memory.schemas], kinds: [...memory.kinds] }));
    renameSync(tmp, file);
  } catch {
    // The disk cache is an optimisation only.
  }
  return memory;
}
