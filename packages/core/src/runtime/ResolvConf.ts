import type { PodDnsConfig } from './Runtime.js';

/**
 * A resolv.conf file's text as a {@link PodDnsConfig}: `nameserver` lines in order, the last
 * `search` (or `domain`) line, and `options` merged (a later value of the same option wins), as the
 * glibc resolver reads it. Comments (`#`, `;`) and unknown lines are skipped.
 */
export function parseResolvConf(text: string): PodDnsConfig {
  const servers: string[] = [];
  let searches: string[] = [];
  const options = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const [keyword, ...fields] = raw
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    if (keyword === 'nameserver' && fields[0]) servers.push(fields[0]);
    else if (keyword === 'search' || keyword === 'domain') searches = fields.filter((f) => f !== '');
    else if (keyword === 'options') for (const o of fields) if (o) options.set(o.split(':')[0] ?? o, o);
  }
  return { servers, searches, options: [...options.values()] };
}

/** The resolv.conf text of a {@link PodDnsConfig}, as a runtime writes it into a pod. */
export function formatResolvConf(dns: PodDnsConfig): string {
  const lines = [
    ...(dns.searches.length ? [`search ${dns.searches.join(' ')}`] : []),
    ...dns.servers.map((s) => `nameserver ${s}`),
    ...(dns.options.length ? [`options ${dns.options.join(' ')}`] : []),
  ];
  return lines.map((l) => `${l}\n`).join('');
}
