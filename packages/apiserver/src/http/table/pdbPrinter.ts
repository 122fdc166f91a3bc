import type { policyv1 } from '@tugboat/core';

import { ageColumn, column, nameColumn, type Printer } from './columns.js';
import { ageOf } from './humanDuration.js';

/** The columns `kubectl get pdb` shows, as upstream's printer (`N/A` for the bound not set). */
export const pdbPrinter: Printer = {
  columns: [
    nameColumn,
    column('Min Available', 'string', 0, '', 'the minimum number of pods that must be available'),
    column('Max Unavailable', 'string', 0, '', 'the maximum number of pods that may be unavailable'),
    column('Allowed Disruptions', 'integer', 0, '', 'the number of pod disruptions currently allowed'),
    ageColumn,
  ],
  cells(object, now) {
    const pdb = object as policyv1.PodDisruptionBudget;
    const bound = (v: number | string | undefined): string => (v === undefined ? 'N/A' : String(v));
    return [
      pdb.metadata?.name ?? '',
      bound(pdb.spec?.minAvailable),
      bound(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      ageOf(pdb.metadata?.creationTimestamp, now),
    ];
  },
};
