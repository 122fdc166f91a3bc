import { readFileSync } from 'node:fs';

/** One file of the page, read once at start. */
export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Sent as `Cache-Control`. */
  readonly cacheControl: string;
}

// The whole page, by the name it is served under; nothing else is read from disk, so no request
// path can reach another file.
const files: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'collection.js': 'text/javascript; charset=utf-8',
  'columns.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'logs.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** Reads the page's files from the package's `static` folder. */
export function loadAssets(): ReadonlyMap<string, Asset> {
  const dir = new URL('../../static/', import.meta.url);
  const assets = new Map<string, Asset>();
  for (const [name, contentType] of Object.entries(files)) {
    assets.set(name, {
      body: readFileSync(new URL(name, dir)),
      contentType,
      // The HTML names the other files, so it is never kept; they are revalidated on every load.
      cacheControl: name === 'index.html' ? 'no-store' : 'no-cache',
    });
  }
  return assets;
}
