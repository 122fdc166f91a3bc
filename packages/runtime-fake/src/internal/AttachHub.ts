/** Where a simulated container's main process writes and reads beside its log: the attached clients. */
export class AttachHub {
  private readonly listeners = new Set<(stream: 'stdout' | 'stderr', text: string) => void>();
  private readonly chunks: string[] = [];
  private ended: ((text: string) => void) | undefined;
  /** Readers of the input as it arrives, woken by each feed and by the close. */
  private wake: (() => void)[] = [];
  /** The main process's stdin, read in full: what attached clients sent until one closed it. */
  readonly input: Promise<string>;

  constructor() {
    this.input = new Promise((resolve) => (this.ended = resolve));
  }

  /** Passes the process's output to every attached client. */
  emit(stream: 'stdout' | 'stderr', text: string): void {
    for (const listener of this.listeners) listener(stream, text);
  }

  /** Attaches a client's output; the returned function detaches it. */
  listen(listener: (stream: 'stdout' | 'stderr', text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Feeds the process's stdin. */
  feed(text: string): void {
    if (this.ended === undefined) return;
    this.chunks.push(text);
    this.notify();
  }

  /** Closes the process's stdin (once: later input is dropped, as after a pipe closes). */
  close(): void {
    this.ended?.(this.chunks.join(''));
    this.ended = undefined;
    this.notify();
  }

  /** The process's stdin chunk by chunk as clients send it, until it is closed. */
  async *stream(): AsyncGenerator<string> {
    for (let next = 0; ;) {
      while (next < this.chunks.length) yield this.chunks[next++] as string;
      if (this.ended === undefined) return;
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }

  private notify(): void {
    for (const resolve of this.wake.splice(0)) resolve();
  }
}
