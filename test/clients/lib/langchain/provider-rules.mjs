// What the Gemini API refuses among the tool schemas LangChain hands it. LangChain adapts nothing for Gemini's
// schema subset (it only drops additionalProperties, $schema and strict), so a schema breaking these rules makes
// the API answer 400 to every request that carries the tool: the model never runs.

/**
 * The Gemini API's function `parameters` is its Schema message (google.ai.generativelanguage.v1beta.Schema):
 * a field it does not have is "Unknown name … Cannot find field", `type` is a single enum value, `enum` is
 * a list of strings, and an OBJECT needs properties ("should be non-empty for OBJECT type").
 */
const GEMINI_FIELDS = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'default', 'example', 'items', 'minItems', 'maxItems',
  'properties', 'required', 'propertyOrdering', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'anyOf',
]);

export function geminiProblem(schema) {
  if (!schema) return; // LangChain sends no parameters for a tool without properties
  return walk(schema, '', (s, at) => {
    const unknown = Object.keys(s).find((k) => !GEMINI_FIELDS.has(k));
    if (unknown) return `${at || '/'}: unknown field "${unknown}"`;
    if (s.type !== undefined && typeof s.type !== 'string') return `${at || '/'}: type ${JSON.stringify(s.type)} is not a single type`;
    if (s.enum?.some((v) => typeof v !== 'string')) return `${at || '/'}: enum with non-string values`;
    if (s.type === 'object' && !Object.keys(s.properties ?? {}).length) return `${at || '/'}: object without properties`;
  });
}

/** The first problem `visit` reports in a schema or its subschemas (properties, items, anyOf). */
function walk(s, at, visit) {
  if (!s || typeof s !== 'object') return;
  const subs = [
    ...Object.entries(s.properties ?? {}).map(([k, sub]) => [sub, `${at}/${k}`]),
    ...(s.items && typeof s.items === 'object' ? [[s.items, `${at}[]`]] : []),
    ...(s.anyOf ?? []).map((sub, i) => [sub, `${at}|anyOf${i}`]),
  ];
  return visit(s, at) ?? subs.reduce((found, [sub, path]) => found ?? walk(sub, path, visit), undefined);
}
