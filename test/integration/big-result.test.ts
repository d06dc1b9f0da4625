import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, connectStdio, textOf, type Connected } from './harness.js';

/** Peak resident memory of a process (Linux), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('a million-row result', () => {
  // The sandbox runs in its own process here, so the figure is the MCP server's own memory.
  let sandbox: ChildProcess;
  let s: Connected;
  beforeAll(async () => {
    sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => sandbox.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
    const info = JSON.parse(line) as { api_url: string; data_url: string; api_key: string };
    s = await connectStdio(['--log-level', 'warn'], { CLUVIO_API_KEY: info.api_key, CLUVIO_API_URL: info.api_url, CLUVIO_DATA_URL: info.data_url });
  });
  afterAll(async () => {
    await s?.close();
    sandbox?.kill('SIGTERM');
  });

  it('returns the first page and the total, pages to the end, and stays under 250 MB', async () => {
    const sql = "SELECT g AS n, md5(g::text) AS hash, 'row ' || g AS label FROM generate_series(1, 1000000) g";
    const first = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: sql } }, { timeout: 120_000 });
    expect(first.isError, textOf(first)).toBeFalsy();
    const out = first.structuredContent as { execution_id: string; total_rows: number; rows: unknown[][]; truncated: boolean };
    expect(out.total_rows).toBe(1_000_000);
    expect(out.rows).toHaveLength(100);
    expect(out.truncated).toBe(true);
    expect(textOf(first)).toMatch(/1000000 rows.*showing rows 1–100/);

    const last = await s.client.callTool({ name: 'get_execution_data', arguments: { id: out.execution_id, offset: 999_950 } }, { timeout: 120_000 });
    const tail = last.structuredContent as { rows: unknown[][]; truncated: boolean };
    expect(tail.rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 50 }, (_, i) => 999_951 + i));
    expect(tail.truncated).toBe(false);

    const peak = peakRssMb(s.pid);
    console.log(`MCP server peak RSS after paging a 1M-row result: ${peak.toFixed(0)} MB`);
    expect(peak).toBeLessThan(250);
  });
});
