/**
 * A typed inversify service identifier. The interface and its token share one name, so a caller
 * writes `container.get(Store)` and gets a `Store` back.
 */
export type Token<T> = symbol & { readonly __tokenType?: T };

/** Creates the token for a contract, keyed globally so duplicate installs still agree. */
export function token<T>(name: string): Token<T> {
  return Symbol.for(`@tugboat/${name}`);
}
