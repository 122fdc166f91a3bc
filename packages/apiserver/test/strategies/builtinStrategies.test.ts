import { describe, expect, it } from '@jest/globals';
import { builtinResources } from '@tugboat/core';

import { resourceKey } from '../../src/registry/resourceKey.js';
import { builtinStrategies } from '../../src/strategies/index.js';

describe('builtinStrategies', () => {
  it('has a strategy for every built-in resource, keyed by resourceKey', () => {
    const missing = builtinResources
      .map((def) => resourceKey(def))
      .filter((key) => !builtinStrategies.has(key));
    expect(missing).toEqual([]);
  });

  it('has no strategy for a resource that is not built in', () => {
    const known = new Set(builtinResources.map((def) => resourceKey(def)));
    expect([...builtinStrategies.keys()].filter((key) => !known.has(key))).toEqual([]);
  });

  it('offers field values for every selectable field a built-in resource declares', () => {
    for (const def of builtinResources) {
      if (def.selectableFields.length === 0) continue;
      const fields = builtinStrategies.get(resourceKey(def))?.fieldsOf?.({ metadata: { name: 'x' } }) ?? {};
      expect({
        resource: resourceKey(def),
        missing: def.selectableFields.filter((f) => !(f in fields)),
      }).toEqual({
        resource: resourceKey(def),
        missing: [],
      });
    }
  });
});
