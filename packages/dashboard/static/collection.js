/* global fetch, setTimeout, clearTimeout */

/**
 * @typedef {import('kubernetes-types/meta/v1').ObjectMeta} ObjectMeta
 * @typedef {{ metadata?: ObjectMeta }} KubeObject
 * @typedef {{ type: string, object: KubeObject & { code?: number, message?: string } }} WatchEvent
 */

/** An API answer other than success, with the message of its `Status`. */
export class ApiFailure extends Error {
  /**
   * @param {number} code HTTP status
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * Fetches an API path and throws an {@link ApiFailure} with the server's message when it fails.
 * @param {URL} url
 * @param {AbortSignal} [signal]
 */
export async function apiFetch(url, signal) {
  const response = await fetch(url, {
    headers: { Accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  if (response.ok) return response;
  /** @type {string} */
  let message = response.statusText;
  try {
    /** @type {unknown} */
    const status = await response.json();
    if (isStatus(status) && typeof status.message === 'string') message = status.message;
  } catch {
    // Not a Status: the status line says enough.
  }
  if (response.status === 401)
    message = 'not authenticated: open the dashboard through `kubectl proxy` (see docs/dashboard.md)';
  throw new ApiFailure(response.status, message);
}

/**
 * @param {unknown} body
 * @returns {body is { message?: unknown }}
 */
const isStatus = (body) => typeof body === 'object' && body !== null;

/** @param {KubeObject} object */
const keyOf = (object) => `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/**
 * @param {string} line one line of a watch stream
 * @returns {WatchEvent}
 */
function parseEvent(line) {
  /** @type {unknown} */
  const event = JSON.parse(line);
  return /** @type {WatchEvent} */ (event);
}

/**
 * @param {number} ms
 * @param {AbortSignal} signal
 * @returns {Promise<void>}
 */
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * A live copy of one API collection, as an informer keeps it: lists it, then watches from the
 * list's resourceVersion (with bookmarks), and lists again when the watch ends or reports the
 * version gone (410). Failures are shown through `error` and retried with a growing delay.
 * @template {KubeObject} T
 */
export class Collection {
  /** @type {Map<string, T>} */
  items = new Map();
  /** @type {string | undefined} the last failure, until a list succeeds again */
  error = undefined;
  /** True once the first list has arrived. */
  synced = false;
  #abort = new AbortController();
  #changed = false;

  /**
   * @param {URL} url the collection (`…/api/v1/namespaces/ns/pods`)
   * @param {() => void} onChange called (coalesced) after the items or the error changed
   */
  constructor(url, onChange) {
    this.url = url;
    this.onChange = onChange;
    void this.#run();
  }

  /** Ends the watch; the collection changes no more. */
  stop() {
    this.#abort.abort();
  }

  #notify() {
    if (this.#changed) return;
    this.#changed = true;
    setTimeout(() => {
      this.#changed = false;
      if (!this.#abort.signal.aborted) this.onChange();
    }, 30);
  }

  async #run() {
    const signal = this.#abort.signal;
    const stopped = () => signal.aborted;
    let delay = 500;
    while (!signal.aborted) {
      try {
        const version = await this.#list(signal);
        delay = 500;
        const started = Date.now();
        await this.#watch(version, signal);
        // A watch that ends at once (a proxy closing it) must not become a busy loop of lists.
        if (Date.now() - started < 1000) await sleep(1000, signal);
      } catch (err) {
        if (stopped()) return;
        this.error = err instanceof Error ? err.message : String(err);
        this.#notify();
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /**
   * @param {AbortSignal} signal
   * @returns {Promise<string>} the list's resourceVersion
   */
  async #list(signal) {
    const response = await apiFetch(this.url, signal);
    /** @type {unknown} */
    const body = await response.json();
    const list = /** @type {{ metadata?: { resourceVersion?: string }, items?: T[] }} */ (body);
    this.items = new Map((list.items ?? []).map((item) => [keyOf(item), item]));
    this.error = undefined;
    this.synced = true;
    this.#notify();
    return list.metadata?.resourceVersion ?? '';
  }

  /**
   * Applies watch events until the stream ends or reports an error.
   * @param {string} version
   * @param {AbortSignal} signal
   */
  async #watch(version, signal) {
    const url = new URL(this.url);
    url.searchParams.set('watch', '1');
    url.searchParams.set('resourceVersion', version);
    url.searchParams.set('allowWatchBookmarks', 'true');
    const response = await apiFetch(url, signal);
    if (response.body === null) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          // Blank lines are the server's heartbeats.
          if (line !== '' && !this.#apply(parseEvent(line))) return;
        }
      }
    } finally {
      void reader.cancel().catch(() => undefined);
    }
  }

  /**
   * @param {WatchEvent} event
   * @returns {boolean} false when the watch is over (an ERROR event)
   */
  #apply(event) {
    const object = /** @type {T} */ (event.object);
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.items.set(keyOf(object), object);
        break;
      case 'DELETED':
        this.items.delete(keyOf(object));
        break;
      case 'ERROR':
        // 410: the version is compacted away; the caller lists again. Anything else is shown.
        if (event.object.code !== 410)
          throw new ApiFailure(event.object.code ?? 500, event.object.message ?? 'watch failed');
        return false;
      default:
        return true; // BOOKMARK: nothing changed.
    }
    this.#notify();
    return true;
  }
}
