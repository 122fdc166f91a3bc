/** Where a simulated container's main process writes and reads beside its log: the attached clients. */
export class AttachHub {
  private readonly listeners = new Set<(stream: 'stdout' | 'stderr', text: string) => void>();
  private readonly chunks: string[] = [];
  private ended: ((text: string) => void) | undefined;
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
    if (this.ended !== undefined) this.chunks.push(text);
  }

  /** Closes the process's stdin (once: later input is dropped, as after a pipe closes). */
  close(): void {
    this.ended?.(this.chunks.join(''));
    this.ended = undefined;
  }
}
