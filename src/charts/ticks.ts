// Axis ticks and the text of numbers and times on charts.

const DAY = 86_400_000;

/** Round, readable axis ticks ("nice numbers") covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (min === max) {
    const pad = Math.abs(min) || 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** Tick positions for a time axis, snapped to month starts when the span is in months or years. */
export function timeTicks(min: number, max: number, count: number): number[] {
  const span = max - min;
  if (span > 60 * DAY) {
    const months = span / (30.44 * DAY);
    const stepMonths = [1, 2, 3, 6, 12, 24, 60].find((m) => months / m <= count) ?? 120;
    const d = new Date(min);
    const y = d.getUTCFullYear();
    let m = d.getUTCMonth();
    if (d.getUTCDate() !== 1 || d.getUTCHours() !== 0) m++;
    m = Math.ceil(m / stepMonths) * stepMonths;
    const out: number[] = [];
    for (let t = Date.UTC(y, m, 1); t <= max; m += stepMonths, t = Date.UTC(y, m, 1)) out.push(t);
    if (out.length) return out;
  }
  return niceTicks(min, max, count).filter((t) => t >= min && t <= max);
}

/**
 * Axis labels in one unit for the whole axis (chosen by its largest tick): 0, 250k, 500k — not 8,000 next to 10k.
 * A unit ("%") follows each label.
 */
export function axisFormatter(ticks: number[], locale?: string, unit = ''): (v: number) => string {
  const top = Math.max(...ticks.map(Math.abs));
  const [div, suffix] = top >= 1e9 ? [1e9, 'B'] : top >= 1e6 ? [1e6, 'M'] : top >= 1e4 ? [1e3, 'k'] : [1, ''];
  const after = unit === '%' ? '%' : '';
  return (v) => (v === 0 ? `0${after}` : `${(v / div).toLocaleString(locale, { maximumFractionDigits: top / div < 10 ? 2 : 1 })}${suffix}${after}`);
}

/** One value in full, for a label beside a bar or point: "1,234,567", "31.7%", "28.9 min". */
export function formatValue(v: number, locale?: string, unit = ''): string {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 1 ? 1 : 3;
  const text = v.toLocaleString(locale ?? 'en-US', { maximumFractionDigits: Number.isInteger(v) ? 0 : digits });
  if (!unit) return text;
  return unit === '%' ? `${text}%` : `${text} ${unit}`;
}

/** Time labels as coarse as the span allows: years, months, days or hours (UTC, as the data is). */
export function timeFormatter(spanMs: number, locale?: string): (ms: number) => string {
  const opts: Intl.DateTimeFormatOptions =
    spanMs > 3 * 365 * DAY
      ? { year: 'numeric' }
      : spanMs > 60 * DAY
        ? { year: 'numeric', month: 'short' }
        : spanMs > 2 * DAY
          ? { month: 'short', day: 'numeric' }
          : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  const fmt = new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' });
  return (ms) => fmt.format(new Date(ms));
}

/** A time for a label or a table cell: the date, and the time of day only when there is one. */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
