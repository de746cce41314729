// Time-column parsing and checks: ISO 8601 datetimes and dates (also YYYY/MM/DD), months (YYYY-MM,
// YYYY/MM), years (YYYY) and integer indices. Calendar times become milliseconds since 1970 UTC; a
// datetime without an offset is local clock time and is kept as if it were UTC, so calendar features
// read the clock fields exactly as written (no time-zone or DST shifts).

export type TimeKind = 'datetime' | 'date' | 'month' | 'year' | 'index';

export interface ParsedTime {
  kind: TimeKind;
  value: number;
}

const RE_DATETIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const RE_DATE = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$/;
const RE_MONTH = /^(\d{4})[-/](\d{1,2})$/;
const RE_YEAR = /^\d{4}$/;
const RE_INT = /^[+-]?\d+$/;

function calendar(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number | null {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  // Date.UTC rolls 2001-02-30 over into March; a round trip catches impossible days.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t;
}

/** One cell. A 4-digit integer is reported as 'year'; the column decides between year and index. */
export function parseTime(text: string): ParsedTime | null {
  const s = text.trim();
  let m = RE_DATETIME.exec(s);
  if (m) {
    const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    let t = calendar(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, frac);
    if (t === null) return null;
    if (m[8] && m[8] !== 'Z') {
      const sign = m[8][0] === '-' ? -1 : 1;
      const digits = m[8].slice(1).replace(':', '');
      t -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60_000;
    }
    return { kind: 'datetime', value: t };
  }
  if ((m = RE_DATE.exec(s))) {
    const t = calendar(+m[1], +m[3], +m[4]);
    return t === null ? null : { kind: 'date', value: t };
  }
  if ((m = RE_MONTH.exec(s))) {
    const t = calendar(+m[1], +m[2], 1);
    return t === null ? null : { kind: 'month', value: t };
  }
  if (RE_YEAR.test(s)) return { kind: 'year', value: +s };
  if (RE_INT.test(s)) return { kind: 'index', value: +s };
  return null;
}

export const TIME_FORMATS = 'YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss], YYYY/MM/DD, YYYY-MM, YYYY or an integer index';

const RANK: Record<TimeKind, number> = { index: 0, year: 0, month: 1, date: 2, datetime: 3 };

/**
 * The kind of a whole column from its cells' kinds: calendar kinds mix (the finest wins), integers are
 * years only if every one has four digits; calendar and integer cells never mix (null).
 */
export function columnKind(kinds: TimeKind[]): TimeKind | null {
  let calendarKind: TimeKind | null = null;
  let integers = 0;
  let allYears = true;
  for (const k of kinds) {
    if (k === 'index' || k === 'year') {
      integers++;
      if (k === 'index') allYears = false;
    } else if (calendarKind === null || RANK[k] > RANK[calendarKind]) calendarKind = k;
  }
  if (calendarKind && integers) return null;
  if (calendarKind) return calendarKind;
  return allYears ? 'year' : 'index';
}

export const isCalendar = (kind: TimeKind | null): boolean => kind === 'datetime' || kind === 'date' || kind === 'month';

/** A time value back as text, for reports and messages. */
export function formatTime(value: number, kind: TimeKind | null): string {
  if (!isCalendar(kind)) return String(value);
  const iso = new Date(value).toISOString();
  if (kind === 'month') return iso.slice(0, 7);
  if (kind === 'date') return iso.slice(0, 10);
  return iso.slice(0, 19);
}

export interface SpacingIssue {
  /** Row index (after any sorting and merging) where the step differs from the regular one. */
  row: number;
  from: string;
  to: string;
  /** The step between the two rows, in `unit`. */
  step: number;
  /** Whole regular steps skipped (diff is a multiple of the step), else 0 for an irregular step. */
  missingSteps: number;
}

export interface Spacing {
  unit: 'month' | 'ms' | 'year' | 'index';
  /** The most common step between consecutive rows. */
  step: number;
  issues: SpacingIssue[];
}

/**
 * The regular step of sorted, unique times and every place it is broken. Calendar times that all fall
 * on the first of a month at midnight are measured in months, so monthly and quarterly series are
 * regular although months differ in length.
 */
export function analyzeSpacing(time: Float64Array, kind: TimeKind): Spacing {
  let unit: Spacing['unit'] = kind === 'year' ? 'year' : kind === 'index' ? 'index' : 'ms';
  let t: Float64Array = time;
  if (isCalendar(kind)) {
    let monthly = true;
    for (let i = 0; i < time.length && monthly; i++) {
      const d = new Date(time[i]);
      monthly = d.getUTCDate() === 1 && time[i] % 86_400_000 === 0;
    }
    if (monthly) {
      unit = 'month';
      t = new Float64Array(time.length);
      for (let i = 0; i < time.length; i++) {
        const d = new Date(time[i]);
        t[i] = d.getUTCFullYear() * 12 + d.getUTCMonth();
      }
    }
  }
  const counts = new Map<number, number>();
  for (let i = 1; i < t.length; i++) {
    const d = t[i] - t[i - 1];
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let step = 0;
  let best = 0;
  for (const [d, c] of counts) if (c > best || (c === best && d < step)) [step, best] = [d, c];
  const issues: SpacingIssue[] = [];
  for (let i = 1; i < t.length; i++) {
    const d = t[i] - t[i - 1];
    if (d === step) continue;
    const whole = step > 0 && d % step === 0 ? d / step - 1 : 0;
    issues.push({ row: i, from: formatTime(time[i - 1], kind), to: formatTime(time[i], kind), step: d, missingSteps: whole });
  }
  return { unit, step, issues };
}
