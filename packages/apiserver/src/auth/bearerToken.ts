import type { IncomingMessage } from 'node:http';

/** The bearer token of a request's `Authorization` header, or `undefined` when it has none. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
