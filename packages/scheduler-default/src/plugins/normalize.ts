/** The highest score a plugin gives after normalisation. */
export const maxNodeScore = 100;

/**
 * Upstream's DefaultNormalizeScore: scales scores so the highest becomes 100; `reverse` makes the
 * lowest raw score the best. All-zero scores stay 0 (or become 100 when reversed).
 */
export function normalizeScores(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) > max) max = scores[i] as number;
  if (max === 0) {
    if (reverse) scores.fill(maxNodeScore);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.floor((maxNodeScore * (scores[i] as number)) / max);
    scores[i] = reverse ? maxNodeScore - s : s;
  }
}
