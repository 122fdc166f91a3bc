import type { KubeObject, ResourceDefinition } from '@tugboat/core';

import { printerFor } from './printerFor.js';

/** What the rows of a Table carry: the object's metadata (default), the whole object, or nothing. */
export type IncludeObject = 'Metadata' | 'Object' | 'None';

/** Options of {@link toTable}. */
export interface TableOptions {
  readonly apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  readonly includeObject: IncludeObject;
  /** Leave out `columnDefinitions` (watch events after the first). */
  readonly noHeaders?: boolean;
  readonly resourceVersion?: string;
  readonly continue?: string;
  readonly now?: number;
}

/**
 * A `meta.k8s.io Table` of objects, as the server-side printing of kubectl get: the printer's
 * columns and one row per object carrying PartialObjectMetadata (or the object) for kubectl's
 * NAMESPACE, `--show-labels` and `-L` columns.
 */
export function toTable(
  def: ResourceDefinition,
  objects: readonly KubeObject[],
  options: TableOptions,
): unknown {
  const printer = printerFor(def);
  const now = options.now ?? Date.now();
  const rows = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: printer.cells(obj as Record<string, unknown>, now) };
    if (options.includeObject === 'Object') row['object'] = obj;
    else if (options.includeObject === 'Metadata') {
      row['object'] = {
        kind: 'PartialObjectMetadata',
        apiVersion: options.apiVersion,
        metadata: obj.metadata ?? {},
      };
    }
    return row;
  });
  const metadata: Record<string, string> = {};
  if (options.resourceVersion !== undefined) metadata['resourceVersion'] = options.resourceVersion;
  if (options.continue) metadata['continue'] = options.continue;
  return {
    kind: 'Table',
    apiVersion: options.apiVersion,
    metadata,
    ...(options.noHeaders ? {} : { columnDefinitions: printer.columns }),
    rows,
  };
}
