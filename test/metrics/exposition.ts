/** A small parser of the Prometheus text exposition format (0.0.4), so tests assert numbers, not substrings. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** # TYPE of each metric family. */
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;

/** A sample value; like Prometheus (Go's ParseFloat), Inf and NaN in any case (prom-client writes "Nan"). */
function number(text: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`not a sample value: ${text}`);
  return n;
}

/** `a="x",b="y \"q\""` → { a: 'x', b: 'y "q"' }, with the format's escapes (\\, \", \n). */
function labels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"') throw new Error(`bad label list: ${text}`);
    const name = text.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        j++;
        value += text[j] === 'n' ? '\n' : text[j];
      } else value += text[j];
    }
    if (j >= text.length) throw new Error(`unterminated label value: ${text}`);
    out[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
  }
  return out;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: m[1]!, labels: m[2] ? labels(m[2]) : {}, value: number(m[3]!) });
  }
  return { samples, types };
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** The value of the series with exactly these labels, or undefined when there is none. */
export function valueOf(exposition: Exposition, name: string, labelSet: Record<string, string> = {}): number | undefined {
  return exposition.samples.find((s) => s.name === name && sameLabels(s.labels, labelSet))?.value;
}

/** Every series of a metric as `labels → value`, label values joined in key order, for toEqual on the whole set. */
export function seriesOf(exposition: Exposition, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of exposition.samples.filter((x) => x.name === name)) {
    const key = Object.keys(s.labels)
      .sort()
      .map((k) => `${k}=${s.labels[k]}`)
      .join(',');
    out[key] = s.value;
  }
  return out;
}
