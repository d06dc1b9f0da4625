import { describe, expect, it } from 'vitest';
import { listTools, totalTokens } from '../../scripts/model-view.mjs';

type Tool = { name: string; description?: string; inputSchema: unknown; outputSchema?: unknown; annotations?: unknown; title?: string };

describe('tools/list as a model sees it (built server)', () => {
  it('matches the committed snapshot: a schema change must update it on purpose', async () => {
    const tools = (await listTools()) as Tool[];
    const snapshot = tools.map(({ name, title, description, inputSchema, outputSchema, annotations }) => ({ name, title, description, annotations, inputSchema, outputSchema }));
    await expect(`${JSON.stringify(snapshot, null, 1)}\n`).toMatchFileSnapshot('./__snapshots__/tools-list.json');
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
