// The seasonal period a series' timestamps imply, as the M-competitions and BASELINES.md use it:
// monthly 12, quarterly 4, weekly 52, daily 7, hourly 24, half-hourly 48, quarter-hourly 96;
// years, plain indices and anything irregular have none (1).
import type { Series } from '../data/series.js';

const HOUR = 3_600_000;
const BY_STEP_MS = new Map<number, number>([
  [15 * 60_000, 96],
  [30 * 60_000, 48],
  [HOUR, 24],
  [24 * HOUR, 7],
  [7 * 24 * HOUR, 52],
]);

export function inferSeason(series: Series): number {
  const t = series.report.time;
  if (!t) return 1;
  if (t.unit === 'month') return t.step === 1 ? 12 : t.step === 3 ? 4 : 1;
  if (t.unit === 'ms') return BY_STEP_MS.get(t.step) ?? 1;
  return 1;
}
