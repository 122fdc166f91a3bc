/**
 * A duration in milliseconds written as Go's `time.Duration.String` writes one truncated to the
 * millisecond (`523ms`, `1.234s`, `2m3.5s`, `1h0m0s`), the form upstream's image events use.
 */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.trunc(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const whole = Math.floor(millis / 1000);
  const frac = (millis % 1000).toString().padStart(3, '0').replace(/0+$/, '');
  const seconds = `${whole}${frac ? `.${frac}` : ''}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}
