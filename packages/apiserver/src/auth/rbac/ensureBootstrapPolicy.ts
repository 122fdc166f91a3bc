import { ApiError, resources, type ApiClient, type KubeObject, type ResourceRef } from '@tugboat/core';

import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrapPolicy.js';

/**
 * Creates the default ClusterRoles and ClusterRoleBindings that do not exist yet. Existing ones
 * are left as they are, so an administrator's edits survive restarts. Returns the names created.
 */
export async function ensureBootstrapPolicy(client: ApiClient): Promise<string[]> {
  const created: string[] = [];
  const ensure = async <T extends KubeObject>(resource: ResourceRef<T>, object: T): Promise<void> => {
    try {
      await client.create(resource, object);
      created.push(`${resource.plural}/${object.metadata?.name ?? ''}`);
    } catch (err) {
      if (!ApiError.is(err, 'AlreadyExists')) throw err;
    }
  };
  for (const role of bootstrapClusterRoles()) await ensure(resources.ClusterRoles, role);
  for (const binding of bootstrapClusterRoleBindings()) await ensure(resources.ClusterRoleBindings, binding);
  return created;
}
