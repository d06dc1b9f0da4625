// Prints the model-view token cost of tools/list: per toolset, all tools, read-only and discovery mode.
// Usage: npm run build && node scripts/tokens.mjs [--tools]   (--tools also prints every tool)
import { listTools, toolTokens, totalTokens } from './model-view.mjs';

const TOOLSETS = ['datasources', 'datasource_agents', 'executions', 'dashboards', 'dashboard_groups', 'dashboard_schedules', 'reports', 'filters', 'sql_snippets', 'sql_alerts', 'users', 'user_groups', 'export_jobs'];
const perTool = process.argv.includes('--tools');

const rows = [];
for (const set of TOOLSETS) {
  const tools = await listTools(['--toolsets', set]);
  rows.push([set, tools.length, totalTokens(tools)]);
  if (perTool) for (const t of tools) rows.push([`  ${t.name}`, 1, toolTokens(t)]);
}
const all = await listTools();
rows.push(['ALL (budget 10,000)', all.length, totalTokens(all)]);
const readOnly = await listTools(['--read-only']);
rows.push(['--read-only (budget 4,500)', readOnly.length, totalTokens(readOnly)]);
const discovery = await listTools(['--discovery']);
rows.push(['--discovery (budget 250)', discovery.length, totalTokens(discovery)]);
rows.push(['tools/list bytes (all)', all.length, Buffer.byteLength(JSON.stringify({ tools: all }))]);

console.log('toolset'.padEnd(34), 'tools'.padStart(5), 'tokens'.padStart(8));
for (const [name, n, tokens] of rows) console.log(String(name).padEnd(34), String(n).padStart(5), String(tokens).padStart(8));
