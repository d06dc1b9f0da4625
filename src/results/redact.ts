/** Credentials the API returns, replaced unless the operator opts in with CLUVIO_REVEAL_SECRETS=true. */
const CREDENTIAL_KEYS = new Set(['password', 'bigquery_service_key', 'secret_key']);
/** Short-lived data credentials: useless to a model and never shown, whatever the setting. */
const ALWAYS_HIDDEN = new Set(['data_access_token']);

export const REDACTED = '[redacted: set CLUVIO_REVEAL_SECRETS=true to show]';

export function redactSecrets<T>(value: T, reveal: boolean): T {
  return walk(value, reveal) as T;
}

function walk(value: unknown, reveal: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, reveal));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (ALWAYS_HIDDEN.has(k)) continue;
    if (!reveal && CREDENTIAL_KEYS.has(k) && v !== null && v !== undefined && v !== '') out[k] = REDACTED;
    else out[k] = walk(v, reveal);
  }
  return out;
}
