import type { ApiClient } from '@tugboat/core';

/** What one conformance case gets: a client on a fresh, empty API server. */
export interface ApiClientConformanceSetup {
  readonly client: ApiClient;
  /** Compacts the server's store up to its current revision, so older resourceVersions are gone. */
  compact(): Promise<void>;
  /** Stops the server and releases everything the factory started. */
  cleanup(): Promise<void>;
}

/** Makes a fresh {@link ApiClientConformanceSetup} for every case. */
export type ApiClientConformanceFactory = () => Promise<ApiClientConformanceSetup>;
