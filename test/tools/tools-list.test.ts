import { describe, expect, it } from 'vitest';
import { listTools, totalTokens } from '../../scripts/model-view.mjs';

type Tool = { name: string; description?: string; inputSchema: unknown; outputSchema?: unknown; annotations?: unknown; title?: string };

describe('tools/list as a model sees it (built server)', () => {
  it('matches the committed snapshot: a schema change must update it on purpose', async () => {
    const tools = (await listTools()) as Tool[];
    const snapshot = tools.map(({ name, title, description, inputSchema, outputSchema, annotations }) => ({ name, title, description, annotations, inputSchema, outputSchema }));
    await expect(`${JSON.stringify(snapshot, null, 1)}\n`).toMatchFileSnapshot('./__snapshots__/tools-list.json');
  });

  it('CLUVIO_CONFIRM=off lists exactly what the default lists, without the confirm argument; writes adds it to every write', async () => {
    const strip = (tools: Tool[]) =>
      tools.map((t) => {
        const schema = structuredClone(t.inputSchema) as { properties: Record<string, unknown> };
        delete schema.properties.confirm;
        return { ...t, inputSchema: schema };
      });
    const withConfirm = (tools: Tool[]) => tools.filter((t) => 'confirm' in (t.inputSchema as { properties: object }).properties).map((t) => t.name);
    const [byDefault, off, writes] = (await Promise.all([listTools(), listTools(['--confirm', 'off']), listTools(['--confirm', 'writes'])])) as Tool[][];
    expect(withConfirm(off!)).toEqual([]);
    expect(off).toEqual(strip(byDefault!));
    expect(strip(writes!)).toEqual(off);
    const asked = withConfirm(byDefault!);
    expect(asked).toContain('delete_dashboard');
    expect(asked).not.toContain('create_dashboard');
    for (const name of asked) expect(withConfirm(writes!)).toContain(name);
    expect(withConfirm(writes!)).toContain('create_dashboard');
    expect(withConfirm(writes!)).not.toContain('run_execution');
  });

  it('costs at most 10,000 o200k tokens for all 90 tools with complete schemas', async () => {
    const tools = (await listTools()) as Tool[];
    expect(tools).toHaveLength(90);
    expect(totalTokens(tools)).toBeLessThanOrEqual(10_000);
  });

  it('costs at most 4,500 tokens in read-only mode (45 tools)', async () => {
    const tools = (await listTools(['--read-only'])) as Tool[];
    expect(tools).toHaveLength(45);
    expect(totalTokens(tools)).toBeLessThanOrEqual(4_500);
  });

  it('costs at most 250 tokens in discovery mode', async () => {
    const tools = (await listTools(['--discovery'])) as Tool[];
    expect(tools.map((t) => t.name).sort()).toEqual(['call_operation', 'describe_operation', 'search_operations']);
    expect(totalTokens(tools)).toBeLessThanOrEqual(250);
  });
});
