/**
 * CLUVIO_MCP_KEYS_FILE: each person's own Cluvio API key, chosen by a claim of their access token
 * (CLUVIO_MCP_KEYS_CLAIM). Read at start (a broken file stops the server), read again when it changes (a broken
 * file then keeps the last good mapping). Nothing of the file's content is ever logged.
 */
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ConfigError } from '../config.js';
import type { Logger } from '../logger.js';

/** One line of the file: a claim value and the Cluvio API key of whoever's token carries it. */
export interface KeyEntry {
  value: string;
  api_key: string;
}

const FORMAT = 'a JSON array of {"value": "<claim value>", "api_key": "<Cluvio API key>"}, first match wins';

/** The file's text → its entries; an Error saying what is wrong (never quoting the file: it holds keys). */
export function parseKeysFile(text: string): KeyEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // V8's message may quote the text around the error, which may be a key: keep only the position.
    const at = /position (\d+)/.exec((err as Error).message);
    throw new Error(`not valid JSON${at ? ` (at character ${at[1]})` : ''}; expected ${FORMAT}`);
  }
  if (!Array.isArray(raw)) throw new Error(`expected ${FORMAT}`);
  return raw.map((e: unknown, i) => {
    const entry = e as Partial<Record<string, unknown>> | null;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`entry ${i + 1} is not an object; expected ${FORMAT}`);
    if (typeof entry.value !== 'string' || entry.value === '') throw new Error(`entry ${i + 1} has no "value" (a non-empty string)`);
    if (typeof entry.api_key !== 'string' || entry.api_key.trim() === '') throw new Error(`entry ${i + 1} ("${entry.value}") has no "api_key" (a non-empty string)`);
    const extra = Object.keys(entry).filter((k) => k !== 'value' && k !== 'api_key');
    if (extra.length) throw new Error(`entry ${i + 1} ("${entry.value}") has unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; accepted: value, api_key`);
    return { value: entry.value, api_key: entry.api_key.trim() };
  });
}

/**
 * A claim's value in a token: the top-level claim of that name (Auth0's namespaced claims are URLs, dots and all),
 * else a dotted path into nested claims (Keycloak's `realm_access.roles`).
 */
export function claimValue(claims: Record<string, unknown>, claim: string): unknown {
  if (claim in claims) return claims[claim];
  let v: unknown = claims;
  for (const part of claim.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * The key for a token's claim value: the first entry in file order whose value equals the claim, or (a claim that
 * is a list, e.g. groups) is one of its items. Numbers and booleans compare as their text.
 */
export function keyFor(entries: readonly KeyEntry[], value: unknown): string | undefined {
  const values = (Array.isArray(value) ? value : [value]).filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map(String);
  if (!values.length) return undefined;
  return entries.find((e) => values.includes(e.value))?.api_key;
}

/** The keys file, kept current. */
export class KeysFile {
  private entries: KeyEntry[];
  private stamp: string;
  private checkedAt = Date.now();
  private readonly watcher?: FSWatcher;
  private reloadTimer?: NodeJS.Timeout;

  constructor(
    private readonly path: string,
    readonly claim: string,
    private readonly logger: Logger,
  ) {
    try {
      this.stamp = stampOf(path);
      this.entries = parseKeysFile(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ConfigError(`Cannot use CLUVIO_MCP_KEYS_FILE "${path}": ${(err as Error).message}.`);
    }
    // The directory, not the file: editors and Kubernetes Secret volumes replace the file rather than write to it.
    try {
      this.watcher = watch(dirname(path), (_event, name) => {
        if (name === null || name === basename(path) || name.startsWith('..')) this.scheduleReload();
      });
      this.watcher.on('error', () => undefined);
      this.watcher.unref();
    } catch {
      // No watching on this filesystem: the check on use below still picks up changes.
    }
    logger.info({ entries: this.entries.length, claim }, 'keys file loaded');
  }

  /** The Cluvio key for a token's claims, or undefined when the file maps none of its claim's values. */
  keyFor(claims: Record<string, unknown>): string | undefined {
    // A fallback for where watching misses changes (network filesystems): compare size and mtime every few seconds.
    if (Date.now() - this.checkedAt > 5_000) {
      this.checkedAt = Date.now();
      this.reload(false);
    }
    return keyFor(this.entries, claimValue(claims, this.claim));
  }

  close(): void {
    this.watcher?.close();
    clearTimeout(this.reloadTimer);
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => this.reload(true), 50);
    this.reloadTimer.unref();
  }

  /** Reads the file again if it changed (or `force`); a broken file keeps the last good mapping. */
  private reload(force: boolean): void {
    let stamp: string;
    try {
      stamp = stampOf(this.path);
    } catch (err) {
      this.logger.error({ path: this.path, error: (err as NodeJS.ErrnoException).code ?? 'unreadable' }, 'keys file unreadable: keeping the last good mapping');
      return;
    }
    if (!force && stamp === this.stamp) return;
    try {
      const entries = parseKeysFile(readFileSync(this.path, 'utf8'));
      this.stamp = stamp;
      this.entries = entries;
      this.logger.info({ entries: entries.length }, 'keys file reloaded');
    } catch (err) {
      this.stamp = stamp;
      this.logger.error({ path: this.path, error: (err as Error).message }, 'keys file broken: keeping the last good mapping');
    }
  }
}

function stampOf(path: string): string {
  const st = statSync(path);
  return `${st.mtimeMs}:${st.size}:${st.ino}`;
}
