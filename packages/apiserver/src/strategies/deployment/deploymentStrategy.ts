import type { appsv1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { statusSubresource } from '../statusSubresource.js';
import { defaultDeployment } from './defaultDeployment.js';
import { validateDeployment, validateDeploymentUpdate } from './validateDeployment.js';

/** The strategy for apps/v1 Deployments: upstream defaults, validation, immutable selector, status split. */
export const deploymentStrategy: Strategy<appsv1.Deployment> = {
  ...statusSubresource<appsv1.Deployment>(),
  applyDefaults: defaultDeployment,
  validate: (d) => validateDeployment(d),
  validateUpdate: (d, old) => validateDeploymentUpdate(d, old),
  specOf: (d) => d.spec,
};
