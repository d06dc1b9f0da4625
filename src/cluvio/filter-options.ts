/** A drop-down filter's options as Cluvio answers them (`{options: {values, value_names}}`): value and display name pairs. */
export function parseFilterOptions(body: unknown): Array<{ value: unknown; name?: unknown }> {
  const options = (body as { options?: { values?: unknown; value_names?: unknown } } | undefined)?.options;
  const values = Array.isArray(options?.values) ? options.values : [];
  const names = Array.isArray(options?.value_names) ? options.value_names : [];
  return values.map((value, i) => ({ value, name: names[i] }));
}
