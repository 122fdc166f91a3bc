/**
 * An immutable path to a field, printed the way Kubernetes prints it in validation errors:
 * `spec.containers[0].image`, `data[.dockerconfigjson]`, `metadata.labels`.
 */
export class FieldPath {
  private constructor(private readonly path: string) {}

  /** A path starting at the given top-level field names (`FieldPath.of('spec', 'containers')`). */
  static of(...names: string[]): FieldPath {
    return new FieldPath(names.join('.'));
  }

  /** The path of a nested field. */
  child(...names: string[]): FieldPath {
    const suffix = names.join('.');
    return new FieldPath(this.path ? `${this.path}.${suffix}` : suffix);
  }

  /** The path of a list element (`[3]`). */
  index(i: number): FieldPath {
    return new FieldPath(`${this.path}[${i}]`);
  }

  /** The path of a map entry (`[key]`, unquoted as upstream prints it). */
  key(k: string): FieldPath {
    return new FieldPath(`${this.path}[${k}]`);
  }

  /** The printed path. */
  toString(): string {
    return this.path;
  }
}
