/**
 * What one probe attempt found, as upstream's `probe.Result`: `warning` is a success worth an
 * event (an off-host redirect), `error` means the probe could not be run at all (no handler, an
 * unresolvable port, a runtime error).
 */
export type ProbeResult = 'success' | 'warning' | 'failure' | 'error';

/** One probe attempt: its result and the text that goes into the `Unhealthy` event. */
export interface ProbeOutcome {
  readonly result: ProbeResult;
  readonly output: string;
}
