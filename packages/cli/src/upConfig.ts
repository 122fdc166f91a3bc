import { readFileSync } from 'node:fs';

import { parse } from 'yaml';

/** `apiVersion` of a `tug up --config` file. */
export const tugConfigApiVersion = 'tugboat.dev/v1alpha1';
/** `kind` of a `tug up --config` file. */
export const tugConfigKind = 'TugConfig';

/** The parts of a `tug up` cluster that can be switched off. */
export const clusterComponents = [
  'scheduler',
  'controllers',
  'cloud',
  'kubelet',
  'proxy',
  'dns',
  'metrics',
] as const;
/** One of {@link clusterComponents}. */
export type ClusterComponent = (typeof clusterComponents)[number];

type Kind = 'port' | 'string' | 'boolean' | 'strings';

/** Config field → the `tug up` flag it mirrors, and its YAML type. */
export const configFields: Readonly<Record<string, { readonly flag: string; readonly kind: Kind }>> = {
  store: { flag: 'store', kind: 'string' },
  port: { flag: 'port', kind: 'port' },
  dataDir: { flag: 'data-dir', kind: 'string' },
  host: { flag: 'host', kind: 'string' },
  tlsSans: { flag: 'tls-san', kind: 'strings' },
  anonymousAuth: { flag: 'anonymous-auth', kind: 'boolean' },
  runtime: { flag: 'runtime', kind: 'string' },
  containerdSocket: { flag: 'containerd-socket', kind: 'string' },
  dockerSocket: { flag: 'docker-socket', kind: 'string' },
  nodeName: { flag: 'node-name', kind: 'string' },
  kubeletPort: { flag: 'kubelet-port', kind: 'port' },
  serviceClusterIpRange: { flag: 'service-cluster-ip-range', kind: 'string' },
  serviceNodePortRange: { flag: 'service-node-port-range', kind: 'string' },
  loadBalancerPool: { flag: 'load-balancer-pool', kind: 'string' },
  dnsAddress: { flag: 'dns-address', kind: 'string' },
  dnsPort: { flag: 'dns-port', kind: 'port' },
};

/** A config file read and type-checked: flag values (as a command line would give them) and the rest. */
export interface UpConfig {
  readonly file: string;
  /** By flag name (`data-dir`), as strings, booleans or string lists. */
  readonly flags: Readonly<Record<string, string | boolean | string[]>>;
  readonly components: Readonly<Partial<Record<ClusterComponent, boolean>>>;
  readonly controllers?: readonly string[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a `tug up --config` file (kind `TugConfig`, apiVersion `tugboat.dev/v1alpha1`) strictly:
 * an unreadable file, bad YAML, a wrong kind, an unknown key, or a value of the wrong type is a
 * string, the one-line complaint naming the file and the field. Values are checked further by the
 * same rules as the flags they mirror.
 */
export function loadUpConfig(file: string): UpConfig | string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return `--config: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return `${file}: not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`;
  }
  if (!isMapping(doc))
    return `${file}: must be a mapping with apiVersion: ${tugConfigApiVersion} and kind: ${tugConfigKind}`;
  if (doc.apiVersion !== tugConfigApiVersion)
    return `${file}: apiVersion must be ${tugConfigApiVersion}, got ${describe(doc.apiVersion)}`;
  if (doc.kind !== tugConfigKind) return `${file}: kind must be ${tugConfigKind}, got ${describe(doc.kind)}`;
  const flags: Record<string, string | boolean | string[]> = {};
  let components: Partial<Record<ClusterComponent, boolean>> = {};
  let controllers: string[] | undefined;
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'components') {
      const parsed = readComponents(file, value);
      if (typeof parsed === 'string') return parsed;
      components = parsed;
      continue;
    }
    if (key === 'controllers') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        return `${file}: controllers must be a list of controller names, got ${describe(value)}`;
      controllers = value as string[];
      continue;
    }
    const field = configFields[key];
    if (field === undefined)
      return `${file}: unknown field "${key}" (fields: apiVersion, kind, ${Object.keys(configFields).join(', ')}, components, controllers)`;
    const kindError = `${file}: ${key} must be ${
      { port: 'a number', string: 'a string', boolean: 'true or false', strings: 'a list of strings' }[
        field.kind
      ]
    }, got ${describe(value)}`;
    switch (field.kind) {
      case 'port':
        if (typeof value !== 'number') return kindError;
        flags[field.flag] = String(value);
        break;
      case 'string':
        if (typeof value !== 'string') return kindError;
        flags[field.flag] = value;
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return kindError;
        flags[field.flag] = value;
        break;
      case 'strings':
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return kindError;
        flags[field.flag] = value as string[];
        break;
    }
  }
  return { file, flags, components, ...(controllers !== undefined ? { controllers } : {}) };
}

/**
 * The complaint about the first of a config's `controllers` that is not in `known` (the names
 * `@tugboat/controllers` provides, loaded only after the flags are read), or `undefined`.
 */
export function unknownController(config: UpConfig, known: readonly string[]): string | undefined {
  const unknown = config.controllers?.find((c) => !known.includes(c));
  return unknown === undefined
    ? undefined
    : `${config.file}: controllers: unknown controller "${unknown}" (one of ${known.join(', ')})`;
}

function readComponents(file: string, value: unknown): Partial<Record<ClusterComponent, boolean>> | string {
  if (!isMapping(value))
    return `${file}: components must be a mapping of component: true|false, got ${describe(value)}`;
  const out: Partial<Record<ClusterComponent, boolean>> = {};
  for (const [name, on] of Object.entries(value)) {
    if (!(clusterComponents as readonly string[]).includes(name))
      return `${file}: components: unknown component "${name}" (one of ${clusterComponents.join(', ')})`;
    if (typeof on !== 'boolean')
      return `${file}: components.${name} must be true or false, got ${describe(on)}`;
    out[name as ClusterComponent] = on;
  }
  return out;
}
