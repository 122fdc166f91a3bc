import { ApiError } from '@tugboat/core';

/**
 * One step of a field path, spelled as in `FieldsV1`: `f:<name>` (a field of a map or struct),
 * `k:<json object>` (an associative-list item by its key fields), `v:<json>` (a set item) or
 * `i:<index>` (a list position).
 */
export type PathElement = string;

/** The JSON form of a {@link FieldSet}, as stored in `managedFields[].fieldsV1`. */
export type FieldsV1 = { [element: string]: FieldsV1 };

const self = '.';

/**
 * A set of field paths of an object, as server-side apply tracks ownership: a tree whose edges are
 * {@link PathElement}s and whose nodes are marked when the path ending there is a member. Values
 * are immutable; the set operations return new sets.
 */
export class FieldSet {
  private constructor(
    /** Whether the path ending at this node is itself a member. */
    readonly member: boolean,
    private readonly children: ReadonlyMap<PathElement, FieldSet>,
  ) {}

  /** The empty set. */
  static readonly empty = new FieldSet(false, new Map());

  /** The set holding only the path ending here (a leaf). */
  static readonly leaf = new FieldSet(true, new Map());

  /** A set from its root membership and child sets (empty children are dropped). */
  static of(member: boolean, children: Iterable<readonly [PathElement, FieldSet]>): FieldSet {
    const map = new Map<PathElement, FieldSet>();
    for (const [pe, child] of children) if (!child.isEmpty()) map.set(pe, child);
    if (!member && map.size === 0) return FieldSet.empty;
    return new FieldSet(member, map);
  }

  /** The set of the given paths. */
  static fromPaths(paths: Iterable<readonly PathElement[]>): FieldSet {
    let set = FieldSet.empty;
    for (const path of paths) set = set.union(FieldSet.path(path));
    return set;
  }

  /** The set holding exactly one path. */
  static path(path: readonly PathElement[]): FieldSet {
    let set = FieldSet.leaf;
    for (let i = path.length - 1; i >= 0; i--) set = FieldSet.of(false, [[path[i] as string, set]]);
    return set;
  }

  /** Parses `fieldsV1` JSON; `BadRequest` naming the problem when it is malformed. */
  static fromFieldsV1(json: unknown, where = 'fieldsV1'): FieldSet {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ApiError('BadRequest', `${where}: must be an object`);
    }
    let member = false;
    const children: [PathElement, FieldSet][] = [];
    for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
      if (key === self) {
        member = true;
        continue;
      }
      if (!/^[fkvi]:/.test(key))
        throw new ApiError('BadRequest', `${where}: invalid path element ${JSON.stringify(key)}`);
      if (key.startsWith('k:') || key.startsWith('v:')) checkJson(key.slice(2), where);
      const child = FieldSet.fromFieldsV1(value, `${where}[${JSON.stringify(key)}]`);
      // A leaf is written `{}`: the path is a member with nothing below it.
      children.push([key, child.isEmpty() ? FieldSet.leaf : child]);
    }
    return FieldSet.of(member, children);
  }

  /** The `fieldsV1` JSON of this set. */
  toFieldsV1(): FieldsV1 {
    const out: FieldsV1 = {};
    if (this.member && this.children.size > 0) out[self] = {};
    for (const [pe, child] of [...this.children].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      out[pe] = child.toFieldsV1();
    }
    return out;
  }

  /** Whether the set has no member. */
  isEmpty(): boolean {
    return !this.member && this.children.size === 0;
  }

  /** The subtree below one path element (empty when absent). */
  child(pe: PathElement): FieldSet {
    return this.children.get(pe) ?? FieldSet.empty;
  }

  /** The path elements with something below them. */
  elements(): PathElement[] {
    return [...this.children.keys()];
  }

  /** Whether a path is a member. */
  has(path: readonly PathElement[]): boolean {
    const [first, ...rest] = path;
    if (first === undefined) return this.member;
    return this.children.get(first)?.has(rest) ?? false;
  }

  /** Every member path, depth first. */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    const walk = (node: FieldSet, prefix: PathElement[]): void => {
      if (node.member) out.push(prefix);
      for (const [pe, child] of node.children) walk(child, [...prefix, pe]);
    };
    walk(this, []);
    return out;
  }

  /** The paths in either set. */
  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const elements = new Set([...this.children.keys(), ...other.children.keys()]);
    return FieldSet.of(
      this.member || other.member,
      [...elements].map((pe) => [pe, this.child(pe).union(other.child(pe))] as const),
    );
  }

  /** The paths in both sets. */
  intersection(other: FieldSet): FieldSet {
    if (this.isEmpty() || other.isEmpty()) return FieldSet.empty;
    return FieldSet.of(
      this.member && other.member,
      [...this.children.keys()]
        .filter((pe) => other.children.has(pe))
        .map((pe) => [pe, this.child(pe).intersection(other.child(pe))] as const),
    );
  }

  /** The paths in this set and not in `other`. */
  difference(other: FieldSet): FieldSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    return FieldSet.of(
      this.member && !other.member,
      [...this.children].map(([pe, child]) => [pe, child.difference(other.child(pe))] as const),
    );
  }

  /** Whether both sets hold the same paths. */
  equals(other: FieldSet): boolean {
    if (this === other) return true;
    if (this.member !== other.member || this.children.size !== other.children.size) return false;
    for (const [pe, child] of this.children) {
      const theirs = other.children.get(pe);
      if (theirs === undefined || !child.equals(theirs)) return false;
    }
    return true;
  }
}

/** The readable form of a path, as upstream prints it: `.spec.containers[name="c"].image`. */
export function formatPath(path: readonly PathElement[]): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      if (pe.startsWith('f:')) return `.${body}`;
      if (pe.startsWith('i:')) return `[${body}]`;
      if (pe.startsWith('v:')) return `[=${body}]`;
      const key = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

function checkJson(text: string, where: string): void {
  try {
    JSON.parse(text);
  } catch {
    throw new ApiError('BadRequest', `${where}: invalid JSON in path element ${JSON.stringify(text)}`);
  }
}
