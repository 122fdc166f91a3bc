import { Observable, Subject } from 'rxjs';

import {
  ApiError,
  errors,
  objectKey,
  parseLabelSelector,
  type ApiClient,
  type DeleteOptions,
  type KubeObject,
  type ListOptions,
  type NamespaceOption,
  type ObjectList,
  type PatchType,
  type ResourceRef,
  type Status,
  type WatchEvent,
  type WatchOptions,
  type WriteOptions,
} from '../../src/index.js';

interface Change {
  readonly rv: number;
  readonly resource: string;
  readonly event: WatchEvent<KubeObject>;
}

const resKey = (r: ResourceRef): string => `${r.group}/${r.plural}`;

/** A small in-memory ApiClient for unit tests: revisions, CAS updates, paged lists, replayable watches. */
export class FakeApiClient implements ApiClient {
  private rev = 0;
  private compactedRev = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: Change[] = [];
  private readonly live = new Subject<Change>();
  private readonly watchErrors = new Subject<unknown>();
  /** Errors thrown by the next list calls, in order. */
  readonly listFailures: unknown[] = [];
  /** Errors thrown by the next watch subscriptions, in order. */
  readonly watchFailures: unknown[] = [];
  readonly calls: Array<{ verb: string; options?: unknown }> = [];
  activeWatches = 0;

  private bucket(r: ResourceRef): Map<string, KubeObject> {
    let b = this.objects.get(resKey(r));
    if (b === undefined) this.objects.set(resKey(r), (b = new Map<string, KubeObject>()));
    return b;
  }

  private record(r: ResourceRef, type: WatchEvent<KubeObject>['type'], obj: KubeObject): void {
    const change: Change = {
      rv: this.rev,
      resource: resKey(r),
      event: { type, object: structuredClone(obj) },
    };
    this.history.push(change);
    this.live.next(change);
  }

  private keyFor(r: ResourceRef, name: string, ns?: string): string {
    return r.namespaced && ns ? `${ns}/${name}` : name;
  }

  /** Makes revisions up to now unavailable to watches (they get Gone). */
  compact(): void {
    this.compactedRev = this.rev;
  }

  /** Ends every open watch with this error. */
  breakWatches(err: unknown): void {
    this.watchErrors.next(err);
  }

  get currentRevision(): number {
    return this.rev;
  }

  async get<T extends KubeObject>(r: ResourceRef<T>, name: string, o: NamespaceOption = {}): Promise<T> {
    const obj = this.bucket(r).get(this.keyFor(r, name, o.namespace));
    if (obj === undefined) throw errors.notFound(r.plural, name, r.group);
    return structuredClone(obj) as T;
  }

  async list<T extends KubeObject>(r: ResourceRef<T>, o: ListOptions = {}): Promise<ObjectList<T>> {
    this.calls.push({ verb: 'list', options: o });
    if (this.listFailures.length > 0) throw this.listFailures.shift();
    const sel = o.labelSelector ? parseLabelSelector(o.labelSelector) : undefined;
    const all = [...this.bucket(r).entries()]
      .filter(([, v]) => !o.namespace || v.metadata?.namespace === o.namespace)
      .filter(([, v]) => sel === undefined || sel.matches(v.metadata?.labels))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const start = o.continue ? Number(o.continue) : 0;
    const end = o.limit ? start + o.limit : all.length;
    const items = all.slice(start, end).map(([, v]) => structuredClone(v) as T);
    return {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: String(this.rev), ...(end < all.length ? { continue: String(end) } : {}) },
      items,
    };
  }

  async create<T extends KubeObject>(r: ResourceRef<T>, obj: T, o: WriteOptions = {}): Promise<T> {
    const ns = obj.metadata?.namespace ?? o.namespace;
    const name = obj.metadata?.name ?? `${obj.metadata?.generateName ?? 'obj-'}${this.rev + 1}`;
    const key = this.keyFor(r, name, ns);
    if (this.bucket(r).has(key)) throw errors.alreadyExists(r.plural, name, r.group);
    this.rev++;
    const stored = structuredClone({
      ...obj,
      metadata: {
        ...obj.metadata,
        name,
        ...(ns && r.namespaced ? { namespace: ns } : {}),
        uid: `uid-${this.rev}`,
        resourceVersion: String(this.rev),
      },
    });
    this.bucket(r).set(key, stored);
    this.record(r, 'ADDED', stored);
    return structuredClone(stored);
  }

  async update<T extends KubeObject>(r: ResourceRef<T>, obj: T, o: WriteOptions = {}): Promise<T> {
    const name = obj.metadata?.name ?? '';
    const key = this.keyFor(r, name, obj.metadata?.namespace ?? o.namespace);
    const cur = this.bucket(r).get(key);
    if (cur === undefined) throw errors.notFound(r.plural, name, r.group);
    const want = obj.metadata?.resourceVersion;
    if (want && want !== cur.metadata?.resourceVersion) throw errors.conflict(r.plural, name, r.group);
    this.rev++;
    const stored = structuredClone({
      ...obj,
      metadata: { ...cur.metadata, ...obj.metadata, resourceVersion: String(this.rev) },
    });
    this.bucket(r).set(key, stored);
    this.record(r, 'MODIFIED', stored);
    return structuredClone(stored);
  }

  updateStatus<T extends KubeObject>(r: ResourceRef<T>, obj: T, o?: WriteOptions): Promise<T> {
    return this.update(r, obj, o);
  }

  async patch<T extends KubeObject>(
    r: ResourceRef<T>,
    name: string,
    type: PatchType,
    patch: unknown,
    o: WriteOptions = {},
  ): Promise<T> {
    this.calls.push({ verb: 'patch', options: { name, type, patch } });
    if (type !== 'merge' && type !== 'strategic')
      throw new ApiError('UnsupportedMediaType', `fake supports merge patches only`);
    const cur = await this.get(r, name, o);
    const merged = mergePatch(cur, patch) as T;
    if (merged.metadata) (merged.metadata as { resourceVersion?: string }).resourceVersion = '';
    return this.update(r, merged, o);
  }

  async delete<T extends KubeObject>(
    r: ResourceRef<T>,
    name: string,
    o: DeleteOptions = {},
  ): Promise<T | Status> {
    const key = this.keyFor(r, name, o.namespace);
    const cur = this.bucket(r).get(key);
    if (cur === undefined) throw errors.notFound(r.plural, name, r.group);
    const pre = o.preconditions?.resourceVersion;
    if (pre && pre !== cur.metadata?.resourceVersion) throw errors.conflict(r.plural, name, r.group);
    this.rev++;
    this.bucket(r).delete(key);
    const gone = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(this.rev) } };
    this.record(r, 'DELETED', gone);
    return structuredClone(gone) as T;
  }

  watch<T extends KubeObject>(r: ResourceRef<T>, o: WatchOptions = {}): Observable<WatchEvent<T>> {
    return new Observable<WatchEvent<T>>((sub) => {
      this.calls.push({ verb: 'watch', options: o });
      const failure = this.watchFailures.shift();
      if (failure !== undefined) {
        sub.error(failure);
        return undefined;
      }
      const from = Number(o.resourceVersion ?? '0');
      if (from < this.compactedRev) {
        sub.error(errors.gone(`too old resource version: ${from} (${this.compactedRev})`));
        return undefined;
      }
      this.activeWatches++;
      const matches = (c: Change): boolean =>
        c.resource === resKey(r) && (!o.namespace || c.event.object.metadata?.namespace === o.namespace);
      for (const c of this.history)
        if (c.rv > from && matches(c)) sub.next(structuredClone(c.event) as WatchEvent<T>);
      const live = this.live.subscribe((c) => {
        if (matches(c)) sub.next(structuredClone(c.event) as WatchEvent<T>);
      });
      const errs = this.watchErrors.subscribe((e) => {
        sub.error(e);
      });
      return () => {
        this.activeWatches--;
        live.unsubscribe();
        errs.unsubscribe();
      };
    });
  }

  /** Sends a bookmark at the current revision to open watches of `r`. */
  bookmark(r: ResourceRef): void {
    this.live.next({
      rv: this.rev,
      resource: resKey(r),
      event: { type: 'BOOKMARK', object: { metadata: { resourceVersion: String(this.rev) } } },
    });
  }

  getSubresource<R>(): Promise<R> {
    return Promise.reject(new ApiError('MethodNotAllowed', 'not in fake'));
  }
  createSubresource<R>(): Promise<R> {
    return Promise.reject(new ApiError('MethodNotAllowed', 'not in fake'));
  }
  updateSubresource<R>(): Promise<R> {
    return Promise.reject(new ApiError('MethodNotAllowed', 'not in fake'));
  }

  /** The stored object, for assertions. */
  peek<T extends KubeObject>(r: ResourceRef<T>, name: string, namespace?: string): T | undefined {
    return this.bucket(r).get(this.keyFor(r, name, namespace)) as T | undefined;
  }

  /** All stored objects of a resource. */
  all<T extends KubeObject>(r: ResourceRef<T>): T[] {
    return [...this.bucket(r).values()] as T[];
  }

  keyOf(obj: KubeObject): string {
    return objectKey(obj);
  }
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) out[k] = v === null ? undefined : mergePatch(out[k], v);
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}
