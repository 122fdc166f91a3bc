import type { PrinterColumn, ResourceDefinition } from '@tugboat/core';

import { resourceKey } from '../../registry/resourceKey.js';
import { builtinPrinters } from './builtinPrinters.js';
import { ageColumn, column, nameColumn, type Printer } from './columns.js';
import { ageOf } from './humanDuration.js';

/**
 * The printer of a resource: the built-in one for the kinds kubectl has columns for, the CRD's
 * additionalPrinterColumns for custom kinds, and NAME AGE otherwise.
 */
export function printerFor(def: ResourceDefinition): Printer {
  const builtin = builtinPrinters.get(resourceKey(def));
  if (builtin !== undefined) return builtin;
  if (def.printerColumns.length > 0) return columnsPrinter(def.printerColumns);
  return {
    columns: [nameColumn, ageColumn],
    cells: (o, now) => [metaName(o), ageOf(creation(o), now)],
  };
}

function columnsPrinter(printerColumns: readonly PrinterColumn[]): Printer {
  return {
    columns: [
      nameColumn,
      ...printerColumns.map((c) =>
        column(
          c.name,
          c.type === 'date' ? 'string' : c.type,
          c.priority ?? 0,
          c.format ?? '',
          c.description ?? '',
        ),
      ),
    ],
    cells: (o, now) => [
      metaName(o),
      ...printerColumns.map((c) => {
        const value = jsonPathValue(o, c.jsonPath);
        if (c.type === 'date') return typeof value === 'string' ? ageOf(value, now) : '<unknown>';
        if (value === undefined || value === null) return null;
        return typeof value === 'object' ? JSON.stringify(value) : value;
      }),
    ],
  };
}

function metaName(o: Record<string, unknown>): string {
  return (o['metadata'] as { name?: string } | undefined)?.name ?? '';
}
function creation(o: Record<string, unknown>): string | undefined {
  return (o['metadata'] as { creationTimestamp?: string } | undefined)?.creationTimestamp;
}

/** Evaluates the simple JSONPath of a printer column (`.spec.replicas`, `.status.conditions[0].type`). */
export function jsonPathValue(object: unknown, path: string): unknown {
  const trimmed = path.replace(/^\{|\}$/g, '').replace(/^\$/, '');
  const steps = trimmed.split(/\.|\[(\d+)\]/).filter((s): s is string => Boolean(s));
  let cur: unknown = object;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(step)] : (cur as Record<string, unknown>)[step];
  }
  return cur;
}
