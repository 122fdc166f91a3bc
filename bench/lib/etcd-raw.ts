import { createRequire } from 'node:module';

/** The slice of the etcd3 client the benchmark's baseline uses (typed here: etcd3 is store-etcd's dependency). */
export interface RawEtcd {
  if(
    key: string,
    target: 'Create',
    op: '==',
    value: number,
  ): { then(op: unknown): { commit(): Promise<unknown> } };
  put(key: string): { value(v: string): unknown };
  get(key: string): { string(): Promise<string | null> };
  getAll(): { prefix(p: string): { strings(): Promise<Record<string, string>> } };
  close(): void;
}

/** A raw etcd3 client, loaded from store-etcd's own dependency so both sides run the same client. */
export function rawEtcd(endpoint: string): RawEtcd {
  const require = createRequire(new URL('../../packages/store-etcd/package.json', import.meta.url));
  const { Etcd3 } = require('etcd3') as { Etcd3: new (options: { hosts: string }) => RawEtcd };
  return new Etcd3({ hosts: `http://${endpoint}` });
}
