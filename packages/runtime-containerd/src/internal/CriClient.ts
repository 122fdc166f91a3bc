import { fileURLToPath } from 'node:url';

import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

import { imageServiceMethods, type CriMethod, type CriMethods } from './criTypes.js';
import { translateError } from './errors.js';

/** How @grpc/proto-loader decodes: the shapes in `criTypes.ts` depend on these options. */
export const protoLoaderOptions: Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: false,
  oneofs: true,
};

/** Absolute path of the package's own `cri.proto`, found next to this module so it ships with it. */
export const criProtoPath = fileURLToPath(new URL('./proto/cri.proto', import.meta.url));

type UnaryMethod = (
  req: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (err: ServiceError | null, res: unknown) => void,
) => void;

type ServiceCtor = new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
  options: object,
) => Client;

let loaded: { runtime: ServiceCtor; image: ServiceCtor } | undefined;

/** Loads `cri.proto` once per process; both services share the parsed definition. */
export function loadCriServices(): { runtime: ServiceCtor; image: ServiceCtor } {
  if (!loaded) {
    const def = loadPackageDefinition(loadSync(criProtoPath, protoLoaderOptions)) as unknown as {
      runtime: { v1: { RuntimeService: ServiceCtor; ImageService: ServiceCtor } };
    };
    loaded = { runtime: def.runtime.v1.RuntimeService, image: def.runtime.v1.ImageService };
  }
  return loaded;
}

/** The gRPC address for a unix socket path (an address with a scheme is used as is). */
export function grpcAddress(socket: string): string {
  return socket.includes('://') || socket.startsWith('unix:') ? socket : `unix://${socket}`;
}

/**
 * A typed CRI `runtime.v1` client on one socket. Every call carries a deadline and rejects only with
 * an `ApiError` (translated in `errors.ts`).
 */
export class CriClient {
  private readonly runtime: Client;
  private readonly image: Client;

  constructor(
    readonly socket: string,
    private readonly defaultTimeoutMs: number,
  ) {
    const { runtime, image } = loadCriServices();
    const address = grpcAddress(socket);
    // ExecSync returns whole outputs in one message; the default 4 MiB limit is too tight for logs-sized output.
    const channelOptions = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 };
    this.runtime = new runtime(address, credentials.createInsecure(), channelOptions);
    this.image = new image(address, credentials.createInsecure(), channelOptions);
  }

  /** Calls one CRI method; `subject` names what the call is about in errors. */
  call<M extends CriMethod>(
    method: M,
    request: CriMethods[M][0],
    options: { timeoutMs?: number; subject?: string } = {},
  ): Promise<CriMethods[M][1]> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const client = imageServiceMethods.has(method) ? this.image : this.runtime;
    const fn = (client as unknown as Record<string, UnaryMethod>)[method];
    const ctx = {
      method,
      socket: this.socket,
      timeoutMs,
      ...(options.subject === undefined ? {} : { subject: options.subject }),
    };
    if (!fn) return Promise.reject(translateError(new Error(`unknown CRI method ${method}`), ctx));
    return new Promise((resolve, reject) => {
      fn.call(client, request, new Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(translateError(err, ctx));
        else resolve(res as CriMethods[M][1]);
      });
    });
  }

  /** Closes both channels; calls in flight fail with `Unavailable`. */
  close(): void {
    this.runtime.close();
    this.image.close();
  }
}
