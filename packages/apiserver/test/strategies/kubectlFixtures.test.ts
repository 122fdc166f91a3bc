import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import { builtinResources, parseApiVersion, type KubeObject } from '@tugboat/core';

import { resourceKey } from '../../src/registry/resourceKey.js';
import { builtinStrategies } from '../../src/strategies/index.js';
import { create, update } from './helpers.js';

// What kubectl 1.32 sends for everyday commands (`kubectl create deployment … --dry-run=client -o json`,
// `kubectl run`, `kubectl expose`, `kubectl create secret …`): each must pass defaulting and validation.
const dir = new URL('./fixtures/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

function strategyFor(obj: KubeObject): ReturnType<typeof builtinStrategies.get> {
  const { group } = parseApiVersion(obj.apiVersion ?? '');
  const def = builtinResources.find((d) => d.group === group && d.kind === obj.kind);
  return def ? builtinStrategies.get(resourceKey(def)) : undefined;
}

describe('objects written by kubectl', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it.each(fixtures)('%s is accepted on create and on an unchanged update', (file) => {
    const obj = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as KubeObject;
    const strategy = strategyFor(obj);
    expect(strategy).toBeDefined();
    if (!strategy) return;
    expect(create(strategy, obj)).toEqual([]);
    const again = structuredClone(obj);
    expect(update(strategy, again, obj)).toEqual([]);
  });
});
