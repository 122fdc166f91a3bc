import { imagePullError } from './ImagePull.js';

const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const pathPattern = new RegExp(`^${component}(?:/${component})*$`);
const domainPattern =
  /^(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

/**
 * Normalises an image reference the way CRI runtimes do: `busybox:1.35` becomes
 * `docker.io/library/busybox:1.35`, a missing tag becomes `:latest` (unless a digest is given).
 * Throws the typed `ImagePull` error with reason `InvalidImageName` for a reference that does not
 * parse (upper case in the path, empty parts, a bad tag or digest).
 */
export function normalizeImageRef(ref: string): string {
  const invalid = (why: string): Error =>
    imagePullError(ref, 'InvalidImageName', `invalid reference format: ${why}`);
  if (ref === '' || ref.trim() !== ref) throw invalid('empty or padded with spaces');
  let rest = ref;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) throw invalid('bad digest');
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw invalid('bad tag');
  }
  let domain = 'docker.io';
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())
  ) {
    domain = first;
    rest = rest.slice(slash + 1);
    if (!domainPattern.test(domain)) throw invalid('bad registry host');
  }
  if (!pathPattern.test(rest)) throw invalid('repository name must be lowercase alphanumeric components');
  if (domain === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  const suffix = (tag ? `:${tag}` : digest ? '' : ':latest') + (digest ? `@${digest}` : '');
  return `${domain}/${rest}${suffix}`;
}
