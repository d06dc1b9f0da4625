import type { McpServer } from '@modelcontextprotocol/server';
import type { ApiClient } from '../cluvio/api-client.js';
import type { Flat } from '../cluvio/jsonapi.js';
import type { SchemaInfo } from '../cluvio/schema-data.js';
import type { Logger } from '../logger.js';
import { TOOLSET_INFO, type Operation } from '../operations/types.js';
import { SearchIndexCache } from '../search/cache.js';
import { TtlCache } from './cache.js';

/** Schema data per API key, datasource and schema name; dropped when the catalog says a call makes it stale. */
export const SCHEMA_TTL_MS = 60_000;
/** Lists behind completions and template listings, which clients may ask for on every keystroke. */
const LIST_TTL_MS = 10_000;

/** A tool call that may have changed the Cluvio account (any access but `read`) and did not fail. */
export interface OperationDone {
  op: Operation;
  args: Record<string, unknown>;
  /** The client the call went through: identifies the Cluvio key (per-user keys over HTTP). */
  api: ApiClient;
}

type Publisher = (event: OperationDone) => void;

/**
 * The process-wide state behind the resources, made once at start-up and shared by every server of the
 * process (stdio, HTTP sessions, per-request HTTP servers): the caches of account reads, the connected
 * servers to tell when a resource list changes, and the publishers for 2026-07-28 listen streams.
 */
export class ResourceHub {
  readonly schemas = new TtlCache<SchemaInfo[]>(SCHEMA_TTL_MS);
  readonly lists = new TtlCache<Flat[]>(LIST_TTL_MS);
  /** search_account's index per API key (src/search/cache.ts: time to live, memory bound). */
  readonly search = new SearchIndexCache();
  private readonly servers = new Set<{ server: WeakRef<McpServer>; api: ApiClient }>();
  private pruneAt = 64;
  private readonly publishers = new Set<Publisher>();

  constructor(private readonly logger: Logger) {}

  /** A cache key that stands for the client's API key without holding the secret: sessions with the same key share entries. */
  keyOf(api: ApiClient): string {
    return api.keyId;
  }

  /** Remembers a server, so that writes through the same Cluvio client announce resource list changes to it. */
  track(server: McpServer, api: ApiClient): void {
    if (this.servers.size >= this.pruneAt) {
      for (const t of this.servers) if (!t.server.deref()) this.servers.delete(t);
      this.pruneAt = Math.max(64, 2 * this.servers.size);
    }
    this.servers.add({ server: new WeakRef(server), api });
  }

  /**
   * For transports that serve 2026-07-28 `subscriptions/listen` streams themselves (createMcpHandler): their
   * per-request servers are gone by the time something changes, so publish on the handler, e.g.
   * `onListChanged(() => handler.notify.resourcesChanged())`. Returns the unsubscribe function.
   */
  onListChanged(publish: Publisher): () => void {
    this.publishers.add(publish);
    return () => this.publishers.delete(publish);
  }

  /**
   * After a successful call that may have changed the account: drop what the catalog says is stale, and for a
   * write in a toolset the resources show, drop the cached lists and announce the change. Never throws.
   */
  operationDone(event: OperationDone): void {
    const { op, args } = event;
    if (op.invalidates?.includes('datasource-schema') && typeof args.id === 'string') {
      const id = args.id;
      this.schemas.invalidate((key) => key.split('\u0000')[1] === id);
    }
    // Every key's index, as with the lists: two keys may see the same organisation.
    if (op.invalidates?.includes('search-index')) this.search.clear();
    if (op.access !== 'write' || !TOOLSET_INFO[op.toolset].resources) return;
    this.lists.invalidate(() => true);
    this.announce(event);
  }

  /**
   * `notifications/resources/list_changed` to every connected server of the same Cluvio client: stdio (a 2025
   * connection sends it as is; a 2026 connection routes it to its open subscriptions/listen streams) and 2025
   * HTTP sessions. Then to the publishers (2026 HTTP listen streams).
   */
  private announce(event: OperationDone): void {
    for (const t of this.servers) {
      const server = t.server.deref();
      if (!server) {
        this.servers.delete(t);
        continue;
      }
      // Same key, not same client object: per-user keys get a client per session (and per 2026-07-28 request).
      if (t.api.keyId !== event.api.keyId || !server.isConnected()) continue;
      server.server.sendResourceListChanged().catch((err: unknown) => this.logger.debug({ error: (err as Error).message }, 'resources/list_changed not sent'));
    }
    for (const publish of this.publishers) {
      try {
        publish(event);
      } catch (err) {
        this.logger.debug({ error: (err as Error).message }, 'resources/list_changed publisher failed');
      }
    }
  }
}
