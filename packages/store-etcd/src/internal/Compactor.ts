import type { Logger } from '@tugboat/core';
import type { Etcd3 } from 'etcd3';

/** The key kube-apiserver instances use to agree on who compacts; compaction is global to etcd. */
const compactRevKey = Buffer.from('compact_rev_key');

/**
 * The periodic compaction job, as kube-apiserver runs it: every interval, compact to the revision
 * that was current one interval ago, so every watcher has had a whole interval to catch up. Several
 * stores sharing one etcd coordinate through a compare-and-swap on `compact_rev_key`, so only one of
 * them compacts per interval.
 */
export class Compactor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** The revision seen at the previous tick: the next compaction target. */
  private lastRevision = 0;
  /** The version of `compact_rev_key` this job last saw. */
  private keyVersion = 0;

  constructor(
    private readonly client: Etcd3,
    private readonly intervalMs: number,
    private readonly compact: (revision: number) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Starts ticking; the timer does not keep the process alive. */
  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops ticking and waits for a compaction in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round; exposed for tests. */
  async tick(): Promise<void> {
    try {
      const target = this.lastRevision;
      const res = await this.client.kv.txn({
        compare: [{ key: compactRevKey, target: 'Version', result: 'Equal', version: this.keyVersion }],
        success: [{ request_put: { key: compactRevKey, value: Buffer.from(String(target)) } }],
        failure: [{ request_range: { key: compactRevKey } }],
      });
      this.lastRevision = Number(res.header.revision);
      if (!res.succeeded) {
        // Another store compacted in this interval (or we restarted): adopt its version, skip a turn.
        const kv = res.responses[0]?.response_range.kvs[0];
        this.keyVersion = kv ? Number(kv.version) : 0;
        return;
      }
      this.keyVersion += 1;
      if (target > 0) {
        await this.compact(target);
        this.logger.info('compacted etcd', { revision: target });
      }
    } catch (err) {
      this.logger.warn('etcd compaction failed; retrying next interval', { error: (err as Error).message });
    }
  }
}
