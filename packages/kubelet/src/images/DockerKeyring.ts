import type { AuthConfig } from '@tugboat/core';

/** One entry of a Docker config's `auths` (or of a legacy `.dockercfg`). */
export interface DockerConfigEntry {
  readonly username?: string;
  readonly password?: string;
  /** base64 of `username:password`; used when username/password are absent. */
  readonly auth?: string;
  readonly email?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

/** A parsed credential: the registry pattern it was registered under and the credentials. */
interface Keyed {
  readonly key: string;
  readonly auth: AuthConfig;
}

// Upstream's `defaultRegistryHost`: Docker Hub's credentials live under this name.
const defaultRegistryHost = 'index.docker.io';

interface SchemelessUrl {
  readonly hostParts: readonly string[];
  readonly port: string;
  readonly path: string;
}

/** Parses `host[:port][/path]` (a scheme is dropped) the way Go's url.Parse of `https://…` does. */
function parseSchemeless(value: string): SchemelessUrl | undefined {
  const withoutScheme = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const hostPort = slash >= 0 ? withoutScheme.slice(0, slash) : withoutScheme;
  const path = slash >= 0 ? withoutScheme.slice(slash) : '';
  if (hostPort === '') return undefined;
  const colon = hostPort.lastIndexOf(':');
  const bracket = hostPort.lastIndexOf(']');
  const hasPort = colon > bracket && colon >= 0;
  const host = hasPort ? hostPort.slice(0, colon) : hostPort;
  return { hostParts: host.toLowerCase().split('.'), port: hasPort ? hostPort.slice(colon + 1) : '', path };
}

/** Go's `filepath.Match` for one host label: `*` any run of characters, `?` one, the rest literal. */
function globMatch(glob: string, target: string): boolean {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(target);
}

/**
 * Whether a credential registered under `glob` applies to the image repository `target`, as
 * upstream's `URLsMatch`: same port, same number of host labels each matching (`*.example.com`
 * globs), and the glob's path a prefix of the target's path.
 */
export function urlsMatch(glob: string, target: string): boolean {
  const g = parseSchemeless(glob);
  const t = parseSchemeless(target);
  if (!g || !t) return false;
  if (g.port !== t.port || g.hostParts.length !== t.hostParts.length) return false;
  if (!t.path.startsWith(g.path)) return false;
  return g.hostParts.every((part, i) => globMatch(part, t.hostParts[i] ?? ''));
}

/** Upstream's `isDefaultRegistryMatch`: an image whose first part names no registry host is Docker Hub's. */
function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  const first = slash >= 0 ? image.slice(0, slash) : image;
  if (first === '') return false;
  if (slash < 0) return true;
  if (first === 'docker.io' || first === defaultRegistryHost) return true;
  return !/[.:]/.test(first);
}

function decodeAuth(entry: DockerConfigEntry): { username?: string; password?: string } {
  if (entry.username !== undefined || entry.password !== undefined || !entry.auth) {
    return {
      ...(entry.username !== undefined ? { username: entry.username } : {}),
      ...(entry.password !== undefined ? { password: entry.password } : {}),
    };
  }
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new Error('the "auth" field is not base64 of "username:password"');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Upstream's key of a registry location: host plus path, where `/v1/` and `/v2/` count as none. */
function keyOf(location: string): string | undefined {
  const withoutScheme = location.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const host = (slash >= 0 ? withoutScheme.slice(0, slash) : withoutScheme).toLowerCase();
  if (host === '') return undefined;
  let path = slash >= 0 ? withoutScheme.slice(slash) : '';
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) path = path.slice(3);
  return path.length > 0 && path !== '/' ? host + path : host;
}

/**
 * The set of registry credentials a pod may pull with, as upstream's `BasicDockerKeyring`: entries
 * keyed by `host[:port][/path]` (globs like `*.example.com` allowed), looked up for an image
 * repository by host, port and path prefix, the most specific key first; Docker Hub's credentials
 * (`index.docker.io`, `https://index.docker.io/v1/`) apply to images without a registry host.
 */
export class DockerKeyring {
  private readonly entries: Keyed[] = [];

  /**
   * Adds the entries of one Docker config's `auths` map. Throws (a plain Error, for the caller to
   * report) when an entry's `auth` does not decode.
   */
  add(auths: Readonly<Record<string, DockerConfigEntry>>): void {
    const added: Keyed[] = [];
    for (const [location, entry] of Object.entries(auths)) {
      // The map comes from a secret's JSON: its type is a hope, not a fact.
      const raw: unknown = entry;
      if (typeof raw !== 'object' || raw === null)
        throw new Error(`the entry for "${location}" is not an object`);
      const key = keyOf(location);
      if (key === undefined) continue;
      const auth: AuthConfig = {
        ...decodeAuth(entry),
        ...(entry.identitytoken ? { identityToken: entry.identitytoken } : {}),
        ...(entry.registrytoken ? { registryToken: entry.registrytoken } : {}),
        serverAddress: key,
      };
      added.push({ key, auth });
    }
    this.entries.push(...added);
    // Reverse lexicographic order, as upstream's index: a longer (more specific) key sorts first.
    this.entries.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  }

  /** Whether the keyring holds no credentials. */
  get empty(): boolean {
    return this.entries.length === 0;
  }

  /**
   * The credentials to try for an image repository (`127.0.0.1:5000/team/app`,
   * `docker.io/library/busybox` — no tag or digest), most specific first; empty when none match.
   */
  lookup(repository: string): AuthConfig[] {
    const matched = this.entries.filter((e) => urlsMatch(e.key, repository)).map((e) => e.auth);
    if (matched.length > 0 || !isDefaultRegistryMatch(repository)) return dedupe(matched);
    return dedupe(this.entries.filter((e) => e.key === defaultRegistryHost).map((e) => e.auth));
  }
}

function dedupe(auths: AuthConfig[]): AuthConfig[] {
  const seen = new Set<string>();
  return auths.filter((a) => {
    const id = JSON.stringify([a.username, a.password, a.identityToken, a.registryToken]);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
