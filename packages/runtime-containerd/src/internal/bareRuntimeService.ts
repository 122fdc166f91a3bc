import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';

import { grpcAddress, loadCriServices } from './CriClient.js';

/** A bare CRI RuntimeService call: no deadline policy, no translation, no conversion. */
export type BareCall = <T>(method: string, request: unknown) => Promise<T>;

/**
 * Plain grpc-js stubs for CRI's RuntimeService on the package's proto, with nothing around them:
 * the baseline the benchmark measures {@link ContainerdRuntime} against.
 */
export function bareRuntimeService(socket: string): { call: BareCall; close: () => void } {
  const { runtime } = loadCriServices();
  const client = new runtime(grpcAddress(socket), credentials.createInsecure(), {});
  const call: BareCall = <T>(method: string, request: unknown) =>
    new Promise<T>((resolve, reject) => {
      const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method];
      if (!fn) throw new Error(`no CRI method ${method}`);
      fn.call(
        client,
        request,
        new Metadata(),
        { deadline: Date.now() + 60_000 },
        (err: ServiceError | null, res: T) => {
          if (err) reject(err);
          else resolve(res);
        },
      );
    });
  return {
    call,
    close: () => {
      client.close();
    },
  };
}
