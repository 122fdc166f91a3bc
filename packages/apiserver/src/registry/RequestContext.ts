/** Who is making a request, as Kubernetes `user.Info`. */
export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** The identity the in-process client uses unless told otherwise: a cluster administrator. */
export const systemAdmin: UserInfo = {
  name: 'system:admin',
  groups: ['system:masters', 'system:authenticated'],
};

/**
 * Everything about one request that is not the object itself: the user, the namespace from the
 * URL, and the write options. The HTTP front builds one per request from the URL and query; the
 * in-process client builds one per call.
 */
export interface RequestContext {
  readonly user: UserInfo;
  /** The namespace named by the request path; required for namespaced resources. */
  readonly namespace?: string;
  /** Run admission and validation, store nothing. */
  readonly dryRun?: boolean;
  /** What to do with fields the schema does not know: `Strict` fails, `Warn`/`Ignore` drop them. */
  readonly fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  readonly fieldManager?: string;
  /** The client's `User-Agent`, whose product names the manager of a write that names none. */
  readonly userAgent?: string;
}
