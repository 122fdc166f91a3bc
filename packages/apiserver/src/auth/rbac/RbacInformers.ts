import {
  ListWatchInformer,
  resources,
  type ApiClient,
  type KubeObject,
  type Logger,
  type rbacv1,
} from '@tugboat/core';

import type { RbacSource } from './RbacAuthorizer.js';

/**
 * The {@link RbacSource} kept by list + watch of Roles, ClusterRoles and their bindings through an
 * `ApiClient`, so a change reaches authorization as soon as its watch event arrives.
 */
export class RbacInformers implements RbacSource {
  private readonly roles: ListWatchInformer<rbacv1.Role>;
  private readonly clusterRoles: ListWatchInformer<rbacv1.ClusterRole>;
  private readonly bindings: ListWatchInformer<rbacv1.RoleBinding>;
  private readonly clusterBindings: ListWatchInformer<rbacv1.ClusterRoleBinding>;

  constructor(client: ApiClient, logger: Logger) {
    const log = logger.child({ component: 'rbac' });
    this.roles = new ListWatchInformer(client, resources.Roles, log);
    this.clusterRoles = new ListWatchInformer(client, resources.ClusterRoles, log);
    this.bindings = new ListWatchInformer(client, resources.RoleBindings, log);
    this.clusterBindings = new ListWatchInformer(client, resources.ClusterRoleBindings, log);
  }

  private get all(): ListWatchInformer<KubeObject>[] {
    return [
      this.roles,
      this.clusterRoles,
      this.bindings,
      this.clusterBindings,
    ] as ListWatchInformer<KubeObject>[];
  }

  /** Lists and starts watching; resolves once every cache holds its first list. */
  async start(): Promise<void> {
    await Promise.all(this.all.map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }

  clusterRoleBindings(): readonly rbacv1.ClusterRoleBinding[] {
    return this.clusterBindings.cache.list();
  }

  roleBindings(namespace: string): readonly rbacv1.RoleBinding[] {
    return this.bindings.cache.list(namespace);
  }

  clusterRole(name: string): rbacv1.ClusterRole | undefined {
    return this.clusterRoles.cache.get(name);
  }

  role(namespace: string, name: string): rbacv1.Role | undefined {
    return this.roles.cache.get(name, namespace);
  }
}
