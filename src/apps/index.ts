import { readFile } from 'node:fs/promises';
import type { ReadResourceResult } from '@modelcontextprotocol/server';
import type { Config } from '../config.js';
import type { Operation } from '../operations/types.js';
import { DIST_DIR } from '../paths.js';
import type { Surface } from '../server.js';

/**
 * MCP Apps (the io.modelcontextprotocol/ui extension): one UI resource, the results view, that hosts with
 * MCP Apps support render for the tools below from their structuredContent (a chart or a sortable table).
 * The view is ui/ built into dist/ui/view.html. Clients without MCP Apps ignore the tool `_meta` and the
 * resource; with views off (--no-views, CLUVIO_VIEWS=false) neither exists.
 */
export const VIEW_URI = 'ui://cluvio/results-view.html';
/** The MCP Apps HTML profile (the ext-apps SDK's RESOURCE_MIME_TYPE; a test pins the two together). */
export const VIEW_MIME_TYPE = 'text/html;profile=mcp-app';
/** The legacy flat key older hosts read (the SDK's RESOURCE_URI_META_KEY); `ui.resourceUri` is the current one. */
export const LEGACY_URI_KEY = 'ui/resourceUri';

const VIEW_FILE = new URL('ui/view.html', DIST_DIR);

/** Views are on unless turned off, and only with one tool per operation (the discovery tools are generic). */
export function viewsEnabled(config: Pick<Config, 'views' | 'discovery'>): boolean {
  return config.views && !config.discovery;
}

/**
 * The tool `_meta` linking an operation's tool to the view — for operations whose result has rows, or one panel
 * per dashboard report (`view: true` in the catalog) — or `{}` (nothing at all) for other tools or with views off.
 */
export function viewToolMeta(op: Pick<Operation, 'view'>, enabled: boolean): { _meta?: Record<string, unknown> } {
  if (!enabled || !op.view) return {};
  return { _meta: { ui: { resourceUri: VIEW_URI }, [LEGACY_URI_KEY]: VIEW_URI } };
}

let html: Promise<string> | undefined;

/** The built view, read on the first resources/read and kept; a failed read is tried again next time. */
function viewHtml(): Promise<string> {
  html ??= readFile(VIEW_FILE, 'utf8').catch((err: NodeJS.ErrnoException) => {
    html = undefined;
    throw new Error(
      err.code === 'ENOENT' ? `The results view is not built (${VIEW_FILE.pathname} is missing): run \`npm run build\`.` : `Cannot read the results view: ${err.message}`,
    );
  });
  return html;
}

/** The results view as a resource, when views are on. */
export function views(config: Pick<Config, 'views' | 'discovery'>): Surface {
  if (!viewsEnabled(config)) return () => undefined;
  const metadata = { title: 'Cluvio results view', description: 'Interactive chart or table for query, report and dashboard results (MCP Apps).', mimeType: VIEW_MIME_TYPE };
  const read = async (uri: URL): Promise<ReadResourceResult> => ({
    contents: [{ uri: uri.href, mimeType: VIEW_MIME_TYPE, text: await viewHtml(), _meta: { ui: { prefersBorder: true } } }],
  });
  return (server) => {
    server.registerResource('results-view', VIEW_URI, metadata, read);
  };
}
