import {
  ApiError,
  resources,
  type ApiClient,
  type BindPlugin,
  type corev1,
  type CycleState,
  type PluginStatus,
} from '@tugboat/core';

import { success } from '../../framework/status.js';

/** The DefaultBinder plugin: binds through the `pods/binding` subresource, as kube-scheduler does. */
export class DefaultBinder implements BindPlugin {
  static readonly pluginName = 'DefaultBinder';
  readonly name = DefaultBinder.pluginName;

  constructor(private readonly client: ApiClient) {}

  async bind(_state: CycleState, pod: corev1.Pod, nodeName: string): Promise<PluginStatus> {
    const m = pod.metadata ?? {};
    const binding: corev1.Binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: m.name ?? '', namespace: m.namespace ?? 'default', ...(m.uid ? { uid: m.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    try {
      await this.client.createSubresource(resources.Pods, m.name ?? '', 'binding', binding, {
        namespace: m.namespace ?? 'default',
      });
      return success;
    } catch (err) {
      const message = err instanceof ApiError || err instanceof Error ? err.message : String(err);
      return { code: 'Error', reasons: [`binding rejected: ${message}`] };
    }
  }
}
