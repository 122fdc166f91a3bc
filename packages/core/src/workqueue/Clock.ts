/** A handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = object | number;

/**
 * Time as the machinery sees it: the current time and one-shot timers. Injected so tests can
 * drive queues, informers and leader election without real waiting.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The wall clock. Timers are unref'd: a pending retry or delayed requeue never keeps a process
 * alive on its own. Globals are looked up per call so jest's fake timers apply.
 */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = globalThis.setTimeout(fn, ms);
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (handle) => {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};
