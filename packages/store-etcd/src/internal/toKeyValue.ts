import type { KeyValue } from '@tugboat/core';
import type { IKeyValue } from 'etcd3';

import type { KeySpace } from './keys.js';

/** Converts an etcd key-value (byte keys, revisions as decimal strings) into a store {@link KeyValue}. */
export function toKeyValue(kv: IKeyValue, keys: KeySpace): KeyValue {
  return {
    key: keys.fromEtcd(kv.key),
    value: kv.value.toString('utf8'),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}
