// Derives src/check/reference.json from Cluvio's API reference (reference/cluvio-api-v2024-06-01.txt, the
// public reference as text): for every operation, what its answer is documented to look like — content type,
// JSON:API type, attributes and relationships (from the response sample, which lists every property), or the
// keys of a plain JSON answer — plus how many alternative permissions its "Authorizations" section lists, whether
// it may answer 204, and which data-server operation its data key is for. `cluvio-mcp check` compares live
// answers with it. test/check/reference.test.ts fails when the committed file is not what this script writes.
//
//   node scripts/reference-shapes.mjs            write src/check/reference.json
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REFERENCE_FILE = fileURLToPath(new URL('../reference/cluvio-api-v2024-06-01.txt', import.meta.url));
export const OUTPUT_FILE = fileURLToPath(new URL('../src/check/reference.json', import.meta.url));

/** An operation title: capitalised words and acronyms ("Get Drop-Down Filter Options", "Export Report CSV"). */
const TITLE = /^[A-Z][A-Za-z]*(-[A-Z][A-Za-z]*)*( [A-Z][A-Za-z]*(-[A-Z][A-Za-z]*)*)+$/;

/** The reference text → `{ source, operations: { [title]: shape } }`. */
export function deriveReference(text, source = 'cluvio-api-v2024-06-01.txt') {
  const lines = text.split('\n');
  // Every operation section has an "Authorizations:" line; its title is the nearest title line above it.
  const sections = [];
  lines.forEach((line, i) => {
    if (line !== 'Authorizations:') return;
    let t = i - 1;
    while (t > 0 && !TITLE.test(lines[t])) t--;
    sections.push({ title: lines[t], start: t, auth: i });
  });
  const operations = {};
  sections.forEach((s, n) => {
    const end = n + 1 < sections.length ? sections[n + 1].start : lines.length;
    const body = lines.slice(s.start, end);
    const at = s.auth - s.start;
    if (operations[s.title]) throw new Error(`two sections titled "${s.title}"`);
    operations[s.title] = shapeOf(body, at);
  });
  return { source, operations };
}

function shapeOf(body, at) {
  const text = body.join('\n');
  const schema = body.find((l) => l.startsWith('Response Schema: '));
  const contentType = schema ? schema.slice('Response Schema: '.length).trim() : null;
  const out = {
    authorizations: (body[at + 1].match(/ApiKey/g) ?? []).length,
    content_type: contentType,
  };
  if (/\b204\b/.test(text)) out.no_content = true;
  const grants = /using the (Get [A-Z][A-Za-z]* Data) operation/.exec(text);
  if (grants) out.grants = grants[1];
  if (!contentType) return out;
  const sample = firstSample(body);
  if (sample === undefined) throw new Error(`${body[0]}: no response sample`);
  if (contentType === 'application/vnd.api+json') {
    const data = sample.data;
    const many = Array.isArray(data);
    const first = many ? data[0] : data;
    if (!first || typeof first !== 'object') throw new Error(`${body[0]}: no resource in the sample`);
    out.jsonapi = {
      type: first.type,
      many,
      attributes: Object.keys(first.attributes ?? {}),
      relationships: Object.fromEntries(Object.entries(first.relationships ?? {}).map(([name, rel]) => [name, linkageType(rel?.data)])),
    };
  } else if (sample && typeof sample === 'object' && !Array.isArray(sample)) {
    out.keys = Object.keys(sample);
  }
  return out;
}

function linkageType(data) {
  const one = Array.isArray(data) ? data[0] : data;
  return one && typeof one.type === 'string' ? one.type : null;
}

/** The first response sample that is not an error document: the reference's JSON with its "• " bullets removed. */
function firstSample(body) {
  const from = body.indexOf('Response samples');
  if (from < 0) return undefined;
  for (let i = from; i < body.length; i++) {
    if (body[i] !== 'Content type') continue;
    let j = i + 2;
    if (body[j] === 'Example') j++;
    if (body[j] !== '{' && body[j] !== '[' && body[j] !== '{ }') continue;
    let k = j;
    while (k < body.length && !/^[}\]]$|^\{ \}$/.test(body[k])) k++;
    const json = body
      .slice(j, k + 1)
      .join('\n')
      .replace(/^(\s*)• /gm, '$1');
    const parsed = JSON.parse(json);
    if (parsed && typeof parsed === 'object' && 'errors' in parsed) {
      i = k;
      continue;
    }
    return parsed;
  }
  return undefined;
}

export function render(reference) {
  return `${JSON.stringify(reference, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reference = deriveReference(readFileSync(REFERENCE_FILE, 'utf8'));
  writeFileSync(OUTPUT_FILE, render(reference));
  console.log(`reference-shapes: ${Object.keys(reference.operations).length} operations → src/check/reference.json`);
}
