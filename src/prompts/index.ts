import { completable, type GetPromptResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Flat } from '../cluvio/jsonapi.js';
import type { SchemaInfo } from '../cluvio/schema-data.js';
import type { Deps } from '../context.js';
import type { Ops } from '../inventory.js';
import type { Operation } from '../operations/types.js';
import type { Surface } from '../server.js';
import { cap, dashboardText, uris } from '../resources/format.js';
import { AccountReader, matchIds } from '../resources/reader.js';
import { datasourceLine, PARAMETER_SYNTAX, relevantSchemaText } from './context.js';

/** Dashboard text inside a prompt stays below this. */
const PROMPT_DASHBOARD_CHARS = 30_000;

/** What the prompts' texts are built from: the account reader and a few shared blocks. */
class PromptKit {
  constructor(
    readonly cluvio: AccountReader,
    /** Whether search_account is exposed: then the prompts that write SQL look for an existing report first. */
    readonly searchable: boolean,
  ) {}

  /** A step that searches the account first, or nothing when search_account is not exposed. */
  searchFirst(datasourceId: string, then: string): string[] {
    if (!this.searchable) return [];
    return [
      `Look for what exists first: search_account {"query":<2–4 key words of the question>,"datasource_id":"${datasourceId}"} (matches names, descriptions and SQL). An existing report's SQL holds the account's agreed definitions: ${then}`,
    ];
  }

  /** The datasource and its schema, or a note on what failed and where to look instead. */
  async loadDatasource(id: string): Promise<{ ds?: Flat; schemas?: SchemaInfo[]; problem?: string }> {
    const [ds, schemas] = await Promise.allSettled([this.cluvio.datasource(id), this.cluvio.schema(id)]);
    const problem = [ds, schemas].find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    return {
      ds: ds.status === 'fulfilled' ? ds.value : undefined,
      schemas: schemas.status === 'fulfilled' ? schemas.value : undefined,
      problem: problem ? String((problem.reason as Error)?.message ?? problem.reason) : undefined,
    };
  }

  schemaBlock(id: string, loaded: { schemas?: SchemaInfo[]; problem?: string }, question = ''): string {
    return loaded.schemas
      ? `Schema (table(column type, …)):\n${relevantSchemaText(id, loaded.schemas, question)}`
      : `The schema could not be loaded (${loaded.problem ?? 'unknown error'}); call get_datasource_schema {"id":"${id}"} first.`;
  }

  /** A string argument that completes to ids, by id or name prefix, from a cached list. */
  idArgument(description: string, load: () => Promise<Flat[]>) {
    return completable(z.string().min(1).describe(description), async (value: string | undefined) => {
      try {
        return matchIds(await load(), value ?? '');
      } catch {
        return [];
      }
    });
  }

  datasourceId() {
    return this.idArgument('Datasource id (completes by name or id)', () => this.cluvio.datasources({ cached: true }));
  }

  dashboardId() {
    return this.idArgument('Dashboard id (completes by name or id)', () => this.cluvio.dashboards({ cached: true }));
  }
}

/** One prompt: the operations its text has the model call (offered only when all are exposed), its arguments and its text. */
interface PromptEntry<A extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  needs: (ops: Ops) => readonly Operation[];
  args: (kit: PromptKit) => A;
  lines: (args: z.output<A>, kit: PromptKit) => Promise<string[]>;
}

/** "1. …", "2. …": steps numbered in order, so an optional step leaves no gap. */
function numbered(steps: readonly string[]): string[] {
  return steps.map((step, i) => `${i + 1}. ${step}`);
}

/** Keeps each entry's argument type for its `lines`. */
function prompt<A extends z.ZodObject>(entry: PromptEntry<A>): PromptEntry {
  return entry as unknown as PromptEntry;
}

const PROMPTS: readonly PromptEntry[] = [
  prompt({
    name: 'explore_datasource',
    title: 'Explore a datasource',
    description: 'Describe what data a datasource holds and propose questions it can answer.',
    needs: (ops) => [ops.runExecution],
    args: (kit) => z.object({ datasource_id: kit.datasourceId() }),
    lines: async ({ datasource_id: id }, kit) => {
      const loaded = await kit.loadDatasource(id);
      return [
        `Explore Cluvio ${datasourceLine(loaded.ds, id)} and tell me what it can answer.`,
        '',
        kit.schemaBlock(id, loaded),
        '',
        'Steps:',
        `1. Group the tables into subject areas; name the likely keys that join them and the date/time columns.`,
        `2. Check your reading with a few cheap queries via run_execution {"datasource_id":"${id}","sql_query":…}: row counts, MIN/MAX of the main date columns, 5 sample rows of the central tables. Keep max_rows small.`,
        '3. Report: what the data covers (entities, time span, volume), its grain, and caveats you saw (nulls, odd values).',
        '4. Propose 8–10 concrete business questions it can answer, each with the tables it needs; mark those that suit a dashboard report (a time series or a breakdown that a timerange or filter can drive).',
        `Full per-schema detail: ${uris.datasourceSchema(id)}.`,
      ];
    },
  }),
  prompt({
    name: 'answer_with_sql',
    title: 'Answer a question with SQL',
    description: 'Write SQL for a question on a datasource, run it with run_execution, check the result and answer.',
    needs: (ops) => [ops.runExecution],
    args: (kit) => z.object({ datasource_id: kit.datasourceId(), question: z.string().min(1).describe('The question to answer from the data') }),
    lines: async ({ datasource_id: id, question }, kit) => {
      const loaded = await kit.loadDatasource(id);
      return [
        `Answer this question from Cluvio ${datasourceLine(loaded.ds, id)}:`,
        `"${question}"`,
        '',
        kit.schemaBlock(id, loaded, question),
        '',
        PARAMETER_SYNTAX,
        '',
        'Steps:',
        ...numbered([
          ...kit.searchFirst(
            id,
            'if a report answers the question, prefer it — get_report for its SQL, then refresh_report (or get_report_data) for the numbers, or start from its SQL — and say which report you used.',
          ),
          `Write one ${String(loaded.ds?.database_type ?? '')} SQL query that answers it, using only tables and columns above (get_datasource_schema with name=<schema> for more). Use a Cluvio parameter where the question names a period, with its value in parameters, e.g. timerange "<unix-start>~<unix-end>".`,
          `Run it: run_execution {"datasource_id":"${id}","sql_query":…,"parameters":…}. On an error, fix the SQL and run again; more rows: get_execution_data.`,
          'Check the result before answering: plausible row count and magnitudes, no unexpected NULLs or duplicates from a join, the period you meant. If in doubt, run a quick cross-check query.',
          'Answer in plain words with the key numbers, then show the final SQL and the parameters used, and say what assumptions you made.',
        ]),
      ];
    },
  }),
  prompt({
    name: 'summarize_dashboard',
    title: 'Summarise a dashboard',
    description: 'Refresh a dashboard for given filter values and report its figures and what changed.',
    needs: (ops) => [ops.refreshDashboard, ops.getReportData],
    args: (kit) =>
      z.object({
        dashboard_id: kit.dashboardId(),
        filter_values: z
          .string()
          .optional()
          .describe('Filter inputs: parameters JSON ({"timerange":"<unix>~<unix>","aggregation":"week","filters":[…]}) or plain words, e.g. "last 30 days, airline NA"'),
      }),
    lines: async ({ dashboard_id: id, filter_values }, kit) => {
      let detail: string;
      try {
        detail = cap(dashboardText(await kit.cluvio.dashboard(id)), PROMPT_DASHBOARD_CHARS, `Read ${uris.dashboard(id)} or get_report for the rest.`);
      } catch (err) {
        detail = `The dashboard could not be loaded (${(err as Error).message}); read ${uris.dashboard(id)} or call get_dashboard {"id":"${id}"} first.`;
      }
      const inputs = filter_values?.trim() ? `Filter values requested: ${filter_values.trim()}` : "No filter values given: use the dashboard's default filter inputs.";
      return [
        `Summarise Cluvio dashboard ${id} for these filter values and tell me what changed.`,
        inputs,
        '',
        detail,
        '',
        'Steps:',
        '1. Turn the filter values into `parameters`: timerange "<unix-start>~<unix-end>" (UTC seconds, inclusive), aggregation, tz, and filters [{variable_name, selected_values}] using the variable names and options listed above.',
        '2. Before refreshing, note what the dashboard shows now: get_report_data {"id":<report id>,"parameters":…} per report returns the cached result without running queries (none cached = nothing to compare).',
        `3. Refresh: refresh_dashboard {"id":"${id}","parameters":…}. If it returns done=false, continue with the poll_dashboard_status call it names.`,
        '4. Report per report: the key figures and the trend, then what changed against the cached result (new periods, moved totals), then reports that failed or returned no rows. Keep it short and quantitative; state the parameters used.',
      ];
    },
  }),
  prompt({
    name: 'question_to_report',
    title: 'Turn a question into a dashboard report',
    description: 'Write SQL with Cluvio parameters for a question, add it to a dashboard with create_report and check it with refresh_report.',
    needs: (ops) => [ops.runExecution, ops.createReport, ops.refreshReport],
    args: (kit) =>
      z.object({
        question: z.string().min(1).describe('What the report should show'),
        datasource_id: kit.datasourceId(),
        dashboard_id: kit.dashboardId().optional().describe('Dashboard to add the report to (completes by name or id); omit to pick or create one'),
      }),
    lines: async ({ question, datasource_id: dsId, dashboard_id: dashId }, kit) => {
      const loaded = await kit.loadDatasource(dsId);
      let filters = '';
      if (dashId) {
        try {
          const d = await kit.cluvio.dashboard(dashId);
          const vars = d.filters.map((f) => `${String(f.variable_name)} (${String(f.control_type)}, ${String(f.value_type)})`);
          filters = `Dashboard ${dashId} "${String(d.dashboard.name ?? '')}" has ${d.reports.length} reports; its filters: ${vars.length ? vars.join(', ') : 'none besides timerange, aggregation, tz'}. Use them in the SQL where they fit so the report follows the dashboard's filter bar.`;
        } catch (err) {
          filters = `Dashboard ${dashId} could not be loaded (${(err as Error).message}); check the id with get_dashboard.`;
        }
      }
      const target = dashId ? `"dashboard_id":"${dashId}"` : '"dashboard_id":<id> (pick one from cluvio://dashboards, or make one with create_dashboard)';
      return [
        `Build a Cluvio dashboard report that answers: "${question}"`,
        `Data: ${datasourceLine(loaded.ds, dsId)}.`,
        filters,
        '',
        kit.schemaBlock(dsId, loaded, question),
        '',
        PARAMETER_SYNTAX,
        '',
        'Steps:',
        ...numbered([
          ...kit.searchFirst(
            dsId,
            'if a report already answers the question, do not create a duplicate — tell me its id, dashboard and SQL instead; if one comes close, start from its SQL and keep its definitions.',
          ),
          'Write the SQL with Cluvio parameters so the report reacts to the dashboard: time filtering with {<time column>=timerange}, grouping by {<time column>:aggregation} for a series, and the dashboard filter variables where they fit. Return few, well-named columns (the first column is the x axis of a chart).',
          `Try it: run_execution {"datasource_id":"${dsId}","sql_query":…,"parameters":{"timerange":…,"aggregation":"month"}}; fix until it returns sensible rows.`,
          `Create it: create_report {${target},"datasource_id":"${dsId}","name":…,"description":…,"sql_query":…}.`,
          'Verify: refresh_report {"id":<new report id>,"parameters":…} must end in success with rows; if not, fix with update_report and refresh again.',
          'Reply with the report id and name, the SQL, and a one-line description of the result. (The chart type is chosen in the Cluvio app; update_dashboard_layout places the report.)',
        ]),
      ].filter((l, i, a) => !(l === '' && a[i - 1] === ''));
    },
  }),
];

/** The prompts whose operations this server exposes. */
export function prompts(deps: Deps): Surface {
  const { inventory } = deps;
  const { searchAccount, getReport } = inventory.ops;
  const kit = new PromptKit(new AccountReader(deps), inventory.exposes(searchAccount) && inventory.exposes(getReport));
  // In discovery mode the operations are reached through call_operation, under the same names.
  const via = deps.config.discovery ? '\n(Here the tools are called through call_operation {"name":<tool>,"arguments":"<the tool\'s arguments as a JSON string>"}.)' : '';
  const offered = PROMPTS.filter((p) => p.needs(inventory.ops).every((op) => inventory.exposes(op))).map((p) => ({
    p,
    config: { title: p.title, description: p.description, argsSchema: p.args(kit) },
    get: async (args: unknown): Promise<GetPromptResult> => {
      const text = (await p.lines(args as never, kit)).join('\n') + via;
      return { messages: [{ role: 'user', content: { type: 'text', text } }] };
    },
  }));
  return (server) => {
    for (const { p, config, get } of offered) server.registerPrompt(p.name, config, get);
  };
}
