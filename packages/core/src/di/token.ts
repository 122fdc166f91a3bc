/**
 * A typed inversify service identifier. The interface and its token share one name, so a caller
 * writes `container.get(Store)` and gets a `Store` back.
 *
 * At run time a token is a symbol. Its static type also carries an abstract-constructor signature
 * for `T`, which is what lets inversify's `get`, `bind` and `toService` infer the service type
 * from the token alone; the token is never called or extended.
 */
export type Token<T> = symbol & (abstract new (...args: never[]) => T);

/** Creates the token for a contract, keyed globally so duplicate installs still agree. */
export function token<T>(name: string): Token<T> {
  return Symbol.for(`@tugboat/${name}`) as Token<T>;
}
