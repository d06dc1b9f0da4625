import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from '@modelcontextprotocol/ext-apps/server';
import { describe, expect, it } from 'vitest';
import { LEGACY_URI_KEY, VIEW_MIME_TYPE, VIEW_URI, viewsEnabled, viewToolMeta } from '../../src/apps/index.js';
import { ConfigError, HELP, parseCommand } from '../../src/config.js';
import { OPERATIONS, toolName } from '../../src/operations/index.js';

const serve = (argv: string[], env: Record<string, string> = {}) => {
  const cmd = parseCommand(argv, { CLUVIO_API_KEY: 'k', ...env });
  if (cmd.kind !== 'serve') throw new Error('expected serve');
  return cmd.config;
};

describe('views setting', () => {
  it('is on by default, off with --no-views or CLUVIO_VIEWS=false, and the flag wins', () => {
    expect(serve([]).views).toBe(true);
    expect(serve(['--no-views']).views).toBe(false);
    expect(serve([], { CLUVIO_VIEWS: 'false' }).views).toBe(false);
    expect(serve([], { CLUVIO_VIEWS: '0' }).views).toBe(false);
    expect(serve([], { CLUVIO_VIEWS: 'true' }).views).toBe(true);
    expect(serve(['--no-views'], { CLUVIO_VIEWS: 'true' }).views).toBe(false);
    expect(() => serve([], { CLUVIO_VIEWS: 'maybe' })).toThrow(ConfigError);
    expect(() => serve([], { CLUVIO_VIEWS: 'maybe' })).toThrow(/CLUVIO_VIEWS.*true or false/);
  });

  it('is documented in --help', () => {
    expect(HELP).toMatch(/--no-views\s+CLUVIO_VIEWS=false/);
  });

  it('applies to one-tool-per-operation mode only', () => {
    expect(viewsEnabled({ views: true, discovery: false })).toBe(true);
    expect(viewsEnabled({ views: true, discovery: true })).toBe(false);
    expect(viewsEnabled({ views: false, discovery: false })).toBe(false);
  });
});

describe('tool metadata', () => {
  it('uses the MCP Apps SDK constants', () => {
    expect(VIEW_MIME_TYPE).toBe(RESOURCE_MIME_TYPE);
    expect(LEGACY_URI_KEY).toBe(RESOURCE_URI_META_KEY);
    expect(VIEW_URI).toMatch(/^ui:\/\//);
  });

  it('is on five catalog operations: the tools whose results have rows', () => {
    const names = OPERATIONS.filter((op) => op.view).map(toolName);
    expect(names.sort()).toEqual(['get_execution_data', 'get_report_data', 'refresh_dashboard', 'refresh_report', 'run_execution']);
  });

  it('is { _meta: { ui: { resourceUri } } } for those, and nothing at all otherwise or with views off', () => {
    const op = (id: string) => OPERATIONS.find((o) => o.id === id)!;
    expect(viewToolMeta(op('runExecution'), true)).toEqual({ _meta: { ui: { resourceUri: VIEW_URI }, 'ui/resourceUri': VIEW_URI } });
    expect(viewToolMeta(op('runExecution'), false)).toEqual({});
    expect(viewToolMeta(op('listDashboards'), true)).toEqual({});
  });
});
