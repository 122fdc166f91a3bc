import { ApiError, type apiextensionsv1, type ResourceDefinition } from '@tugboat/core';
import { Subscription } from 'rxjs';

import { systemNamespaces } from '../admission/NamespaceLifecycle.js';
import { systemAdmin, type RequestContext } from '../registry/RequestContext.js';
import { decode, storageKey, storagePrefix, translate } from './codec.js';
import type { RegistryCore } from './RegistryCore.js';

/**
 * Loads the stored CRDs and creates the system namespaces that are missing. Returns the revision
 * the CRDs were read at, for {@link followCrds}.
 */
export async function bootstrap(core: RegistryCore): Promise<number | undefined> {
  const revision = await loadCrds(core);
  const nsDef = core.resources.lookup('', 'v1', 'namespaces');
  if (nsDef === undefined) return revision;
  const ctx: RequestContext = { user: systemAdmin };
  for (const name of systemNamespaces) {
    if ((await core.store.get(storageKey(nsDef, undefined, name))) !== undefined) continue;
    await core.create(ctx, nsDef, { metadata: { name } }).catch((err: unknown) => {
      if (!ApiError.is(err, 'AlreadyExists')) throw err;
    });
  }
  return revision;
}

/**
 * Keeps the served custom kinds in step with CRDs written through other API servers sharing the
 * store: registers created or changed CRDs and drops deleted ones. After a `Gone` (compaction) it
 * reloads every CRD and watches again.
 */
export function followCrds(core: RegistryCore, revision: number | undefined): Subscription | undefined {
  const crdDef = crdDefinition(core);
  if (crdDef === undefined || revision === undefined) return undefined;
  const holder = new Subscription();
  const follow = (from: number): void => {
    holder.add(
      core.store.watch(storagePrefix(crdDef), from).subscribe({
        next: (ev) => {
          const crd = decode(crdDef, ev.prevKv && ev.type === 'delete' ? ev.prevKv : ev.kv) as Crd;
          if (ev.type === 'delete') core.crds.unregister(crd);
          else core.crds.register(crd);
        },
        error: (err: unknown) => {
          core.logger.warn('CRD watch ended; reloading', { err: String(err) });
          loadCrds(core, true).then(
            (rev) => {
              if (!holder.closed && rev !== undefined) follow(rev);
            },
            (reloadErr: unknown) => {
              core.logger.error('could not reload CRDs', { err: String(reloadErr) });
            },
          );
        },
      }),
    );
  };
  follow(revision);
  return holder;
}

type Crd = apiextensionsv1.CustomResourceDefinition;

function crdDefinition(core: RegistryCore): ResourceDefinition | undefined {
  return core.resources.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
}

async function loadCrds(core: RegistryCore, dropMissing = false): Promise<number | undefined> {
  const crdDef = crdDefinition(core);
  if (crdDef === undefined) return undefined;
  const page = await translate(() => core.store.list(storagePrefix(crdDef)));
  const crds = page.items.map((kv) => decode(crdDef, kv) as Crd);
  for (const crd of crds) core.crds.register(crd);
  if (dropMissing) {
    const present = new Set(crds.map((c) => c.metadata?.name));
    for (const name of core.crds.registeredNames()) {
      if (!present.has(name)) core.crds.unregister({ metadata: { name } } as Crd);
    }
  }
  return page.revision;
}
