/** Length limits of Event fields, as upstream (`ReasonLengthLimit`, `NoteLengthLimit`, …). */
export const eventLimits = {
  reason: 128,
  action: 128,
  reportingInstance: 128,
  note: 1024,
} as const;

/** `can have at most N characters`, upstream's detail for an over-long event field. */
export function atMost(limit: number): string {
  return `can have at most ${limit} characters`;
}
