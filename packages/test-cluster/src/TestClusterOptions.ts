import type { ControllerName } from '@tugboat/controllers';
import type { ApiClient, Logger, Runtime } from '@tugboat/core';
import type { Kubelet } from '@tugboat/kubelet';
import type { Container } from 'inversify';

/** Options of `createTestCluster`; everything beyond the API server is opt-in. */
export interface TestClusterOptions {
  /**
   * Run the controller manager: `true` for every controller of `@tugboat/controllers`, or the
   * names of the ones to run (`['replicaset', 'deployment']`). Default: none.
   */
  readonly controllers?: boolean | readonly ControllerName[];
  /** Run the default scheduler. Default: false (pods stay Pending unless they name a node). */
  readonly scheduler?: boolean;
  /**
   * How many simulated nodes to run (named `node-1`, `node-2`, …): a kubelet each on
   * `@tugboat/runtime-fake`, registered and heartbeating, running the pods bound to it. They serve
   * no kubelet HTTPS endpoint, so `kubectl logs`/`exec` answer 503. Default: 0.
   */
  readonly nodes?: number;
  /** Capacity each simulated node reports (default `cpu: 4`, `memory: 8Gi`, `pods: 110`). */
  readonly nodeCapacity?: Readonly<Record<string, string>>;
  /**
   * The container runtime of each simulated node (default: a fresh `FakeRuntime` from
   * `@tugboat/runtime-fake`). Plug in your own Runtime to run it under a real kubelet. The
   * cluster closes it on `stop`.
   */
  readonly runtime?: (nodeName: string) => Runtime;
  /** Where the components log (default: silent). */
  readonly logger?: Logger;
}

/** One simulated node of a test cluster. */
export interface TestNode {
  /** The Node's name. */
  readonly name: string;
  /** The node agent. */
  readonly kubelet: Kubelet;
  /**
   * The runtime behind it: a `FakeRuntime` unless `options.runtime` made another (cast it to
   * register behaviours), or what `options.runtime` returned.
   */
  readonly runtime: Runtime;
}

/** A running test cluster. */
export interface TestCluster {
  /** The API server, `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** An admin kubeconfig (YAML): cluster CA, and a `system:masters` client certificate. */
  readonly kubeconfig: string;
  /** The same kubeconfig as a file, for `kubectl --kubeconfig` (removed by `stop`). */
  readonly kubeconfigPath: string;
  /** The cluster CA (PEM), for clients that take it on its own. */
  readonly caPem: string;
  /** An in-process client acting as `system:admin`: no HTTP, but the same admission and validation. */
  readonly client: ApiClient;
  /** The simulated nodes, in order. */
  readonly nodes: readonly TestNode[];
  /** The inversify container the components were composed in (`container.get(Store)`, …). */
  readonly container: Container;
  /** Stops everything that was started, in reverse order, and removes the cluster's files. Idempotent. */
  stop(): Promise<void>;
}
