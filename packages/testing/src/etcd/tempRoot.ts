import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Where test etcd data directories go: `/dev/shm` (tmpfs) when writable, else the OS temp dir.
 * etcd fsyncs its WAL on every write, including failed compare-and-swaps; on tmpfs that costs
 * nothing, which keeps contention-heavy tests fast. Data still survives SIGKILL of etcd.
 */
export function tempRoot(): string {
  const fromEnv = process.env['TUG_ETCD_TMP'];
  if (fromEnv) return fromEnv;
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}
