import { describe, expect, it } from 'vitest';
import { listTools, totalTokens } from '../../scripts/model-view.mjs';

type Tool = { name: string; description?: string; inputSchema: unknown; outputSchema?: unknown; annotations?: unknown; title?: string };

describe('tools/list as a model sees it (built server)', () => {
  it('matches the committed snapshot: a schema change must update it on purpose', async () => {
    const tools = (await listTools()) as Tool[];
    const snapshot = tools.map(({ name, title, description, inputSchema, outputSchema, annotations }) => ({ name, title, description, annotations, inputSchema, outputSchema }));
    await expect(`${JSON.stringify(snapshot, null, 1)}\n`).toMatchFileSnapshot('./__snapshots__/tools-list.json');
  });

  it('costs at most 8,000 o200k tokens for all 87 tools', async () => {
    const tools = (await listTools()) as Tool[];
    expect(tools).toHaveLength(87);
    expect(totalTokens(tools)).toBeLessThanOrEqual(8_000);
  });

  it('costs at most 1,000 tokens in discovery mode', async () => {
    const tools = (await listTools(['--discovery'])) as Tool[];
    expect(tools.map((t) => t.name).sort()).toEqual(['call_operation', 'describe_operation', 'search_operations']);
    expect(totalTokens(tools)).toBeLessThanOrEqual(1_000);
  });
});
