/**
 * A custom kind and its controller, composed with store-memory and the registry: apply a
 * `Greeting` and the controller answers in its status. Run it: `pnpm exec tsx examples/custom-controller.ts`.
 */
import { apiserverModule } from '@tugboat/apiserver';
import {
  ApiClient,
  ControllerManager,
  Reconciler,
  controller,
  controllerRuntimeModule,
  defineResource,
  ignoreNotFound,
  resources,
  type KubeObject,
  type ReconcileRequest,
} from '@tugboat/core';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container, inject } from 'inversify';
import { filter, firstValueFrom } from 'rxjs';

// ---- user code starts here ----
export interface Greeting extends KubeObject {
  spec: { name: string };
  status?: { message?: string };
}
export const Greetings = defineResource<Greeting>({
  group: 'example.com',
  version: 'v1',
  kind: 'Greeting',
  plural: 'greetings',
  namespaced: true,
});

@controller({ name: 'greeter', for: Greetings })
export class Greeter implements Reconciler {
  constructor(@inject(ApiClient) private readonly api: ApiClient) {}

  async reconcile({ namespace, name }: ReconcileRequest): Promise<void> {
    const greeting = await this.api.get(Greetings, name, { namespace }).catch(ignoreNotFound);
    const message = `Hello, ${greeting?.spec.name ?? ''}!`;
    if (greeting === undefined || greeting.status?.message === message) return; // gone, or done
    await this.api.updateStatus(Greetings, { ...greeting, status: { message } });
  }
}

export async function startCluster() {
  const container = new Container();
  container.load(memoryStoreModule(), apiserverModule(), controllerRuntimeModule());
  container.bind(Reconciler).to(Greeter).inSingletonScope();
  await container.get(ApiClient).create(resources.CustomResourceDefinitions, greetingCrd);
  await container.get(ControllerManager).start();
  return { api: container.get(ApiClient), stop: () => container.unbindAllAsync() }; // stops controllers, then the store
}
// ---- user code ends here ----

/** The CRD manifest, as a user would `kubectl apply` it. */
const greetingCrd = {
  metadata: { name: 'greetings.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { kind: 'Greeting', plural: 'greetings', singular: 'greeting', listKind: 'GreetingList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
              status: { type: 'object', properties: { message: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { api, stop } = await startCluster();
  const answered = firstValueFrom(
    api
      .watch(Greetings, { namespace: 'default' })
      .pipe(filter((e) => e.object.status?.message !== undefined)),
  );
  await api.create(Greetings, { metadata: { name: 'hi', namespace: 'default' }, spec: { name: 'Tugboat' } });
  console.log((await answered).object.status?.message);
  await stop();
}
