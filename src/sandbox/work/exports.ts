/**
 * Export jobs (Export Dashboard PDF/PNG, Export Report PDF/PNG/CSV, Get/Cancel Export Job).
 *
 * A job goes started → running → success | error in about 0.5–2 s: it runs (or reuses) the
 * report queries for the job's parameters, renders a real file into a temporary directory and
 * serves it at an unguessable URL without auth until it expires (default 10 minutes).
 * PDF/PNG use the report cache like the dashboard does; a CSV export runs its own export_query
 * execution over the complete result.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Visualisation } from '../../charts/plan.js';
import { cluvioDataType } from '../engine/types.js';
import { isoNow, unprocessable } from '../http.js';
import type { QueryParameters } from '../parameters.js';
import type { ResourceRecord } from '../org/store.js';
import { TERMINAL, sleep, type ExecutionRecord, type SandboxState } from '../state.js';
import type { ExecutionRunner } from './runner.js';
import { canonicalParameters, effectiveParameters } from './params.js';
import { pageScene, type ExportPanel } from './render/export-page.js';
import { renderPdf } from './render/pdf.js';
import { renderPng } from './render/png.js';
import { SpecError, WorkQueries, refreshMinutes } from './queries.js';
import { DEFAULT_CSV, csvLine, firstRows, rowBatches } from './rows.js';

export type ExportFormat = 'pdf' | 'png' | 'csv';
export type JobStatus = 'started' | 'running' | 'success' | 'error';

export interface ExportJob {
  id: string;
  format: ExportFormat;
  targetType: 'dashboard' | 'report';
  targetId: string;
  /** Canonical parameters: a recent successful job for the same ones is reused. */
  canon: string;
  parameters: QueryParameters;
  status: JobStatus;
  createdAt: string;
  completedAt: string | null;
  errorMessage: string | null;
  /** Download: unguessable token, file name, path on disk, expiry (ms epoch). */
  fileToken: string | null;
  fileName: string | null;
  filePath: string | null;
  fileSize: number | null;
  expiresAt: number | null;
  /** Executions this job started (cancelled with the job). */
  executionIds: string[];
  /** Maximum age of the job's data before a new export is made instead of reusing this one. */
  reuseMs: number;
}

export interface ExportSettings {
  /** How long a finished export's file_url works. */
  fileTtlSeconds: number;
  /** The shortest time a job takes (the real service renders in a browser). */
  minDurationMs: number;
}

export const MIME: Record<ExportFormat, string> = { pdf: 'application/pdf', png: 'image/png', csv: 'text/csv; charset=utf-8' };

/** Rows of a report read for its panel: a chart plots them all, a table shows the first TABLE_ROWS. */
const PANEL_ROWS = 500;
/** Page widths in pixels: a dashboard's grid of panels, or one report. */
const PAGE_WIDTH = { dashboard: 1000, report: 800 } as const;
const CSV_REUSE_MS = 10 * 60_000;

function slug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60) || 'export';
}

function describeParameters(p: QueryParameters): string {
  const parts: string[] = [];
  if (p.timerange !== undefined) {
    const [a, b] = p.timerange.split('~');
    const d = (s: string | undefined): string => (s === undefined || s === '' ? '…' : new Date(Number(s) * 1000).toISOString().slice(0, 10));
    parts.push(`time range ${d(a)} to ${d(b)}`);
  }
  if (p.aggregation !== undefined) parts.push(`aggregation ${p.aggregation}`);
  if (p.tz !== undefined) parts.push(`time zone ${p.tz}`);
  for (const f of p.filters ?? []) {
    if (f.selected_values && f.selected_values.length > 0) parts.push(`${f.variable_name} = ${f.selected_values.map((v) => String(v)).join(', ')}`);
  }
  return parts.length === 0 ? 'no filters' : parts.join(' · ');
}

export class ExportJobs {
  readonly jobs = new Map<string, ExportJob>();
  readonly settings: ExportSettings = { fileTtlSeconds: 600, minDurationMs: 500 };
  private dir: string | null = null;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly state: SandboxState,
    private readonly runner: ExecutionRunner,
    private readonly queries: WorkQueries,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private directory(): string {
    this.dir ??= mkdtempSync(path.join(os.tmpdir(), 'cluvio-sandbox-exports-'));
    return this.dir;
  }

  /** Start an export (or return a recent successful one for the same parameters). */
  start(format: ExportFormat, targetType: 'dashboard' | 'report', target: ResourceRecord, requested: QueryParameters | undefined): ExportJob {
    let parameters: QueryParameters;
    let reuseMs: number;
    if (targetType === 'report') {
      if (format === 'csv' && target.attributes['unlimited_csv_export_enabled'] !== true) {
        throw unprocessable(`report ${target.id} does not allow CSV exports: set unlimited_csv_export_enabled to true`);
      }
      const spec = WorkQueries.orUnprocessable(() => this.queries.reportSpec(target, requested));
      parameters = spec.parameters;
      reuseMs = format === 'csv' ? CSV_REUSE_MS : spec.refreshMs;
    } else {
      parameters = effectiveParameters(requested, target);
      reuseMs = refreshMinutes(target.attributes['data_refresh_rate']) * 60_000;
    }
    const canon = canonicalParameters(parameters);
    const now = Date.now();
    for (const j of this.jobs.values()) {
      if (
        j.format === format &&
        j.targetType === targetType &&
        j.targetId === target.id &&
        j.canon === canon &&
        j.status === 'success' &&
        j.expiresAt !== null &&
        j.expiresAt > now &&
        now - Date.parse(j.completedAt ?? j.createdAt) < j.reuseMs
      ) {
        return j;
      }
    }
    const job: ExportJob = {
      id: randomUUID(),
      format,
      targetType,
      targetId: target.id,
      canon,
      parameters,
      status: 'started',
      createdAt: isoNow(),
      completedAt: null,
      errorMessage: null,
      fileToken: null,
      fileName: null,
      filePath: null,
      fileSize: null,
      expiresAt: null,
      executionIds: [],
      reuseMs,
    };
    this.jobs.set(job.id, job);
    void this.run(job, target);
    return job;
  }

  /** Cancel a job that has not finished: it ends in error, and the queries it started are cancelled. */
  cancel(job: ExportJob): void {
    if (job.status === 'success' || job.status === 'error') {
      throw unprocessable(`export job ${job.id} already finished (${job.status})`);
    }
    this.fail(job, 'export job cancelled');
    for (const id of job.executionIds) {
      const ex = this.state.executions.get(id);
      if (ex !== undefined && !TERMINAL.has(ex.status)) this.runner.cancel(ex);
    }
  }

  /** The download for a file token, or null when unknown or expired. */
  file(token: string): ExportJob | null {
    for (const j of this.jobs.values()) {
      if (j.fileToken === token && j.filePath !== null) return j.expiresAt !== null && j.expiresAt > Date.now() ? j : null;
    }
    return null;
  }

  private fail(job: ExportJob, message: string): void {
    if (job.status === 'success' || job.status === 'error') return;
    job.status = 'error';
    job.errorMessage = message;
    job.completedAt = isoNow();
  }

  private sweep(now = Date.now()): void {
    for (const j of this.jobs.values()) {
      if (j.filePath !== null && j.expiresAt !== null && j.expiresAt <= now) {
        try {
          unlinkSync(j.filePath);
        } catch {
          // already gone
        }
        j.filePath = null;
      }
      if (now - Date.parse(j.createdAt) > 24 * 3600_000) this.jobs.delete(j.id);
    }
  }

  private async run(job: ExportJob, target: ResourceRecord): Promise<void> {
    const t0 = Date.now();
    await sleep(100);
    if (job.status !== 'started') return;
    job.status = 'running';
    try {
      const name = String(target.attributes['name'] ?? target.id);
      const filePath = path.join(this.directory(), `${job.id}.${job.format}`);
      if (job.format === 'csv') {
        await this.writeCsv(job, target, filePath);
      } else {
        const reports = job.targetType === 'dashboard' ? this.queries.reportsOf(target) : [target];
        const results = await Promise.all(reports.map((r) => this.reportResult(job, r)));
        if (job.status !== 'running') return;
        const exported = new Date().toISOString().replace('T', ' ').slice(0, 16);
        const subtitle = `${job.targetType === 'dashboard' ? 'Dashboard' : 'Report'} · ${describeParameters(job.parameters)} · exported ${exported} UTC`;
        const scene = pageScene({ title: name, subtitle, panels: results, width: PAGE_WIDTH[job.targetType] });
        const data = job.format === 'pdf' ? await renderPdf(scene, { title: name, subject: subtitle }) : await renderPng(scene);
        await writeFile(filePath, data);
      }
      const wait = this.settings.minDurationMs - (Date.now() - t0);
      if (wait > 0) await sleep(wait);
      if (job.status !== 'running') {
        rmSync(filePath, { force: true });
        return;
      }
      job.fileToken = randomBytes(18).toString('base64url');
      job.fileName = `${slug(name)}.${job.format}`;
      job.filePath = filePath;
      job.fileSize = statSync(filePath).size;
      job.completedAt = isoNow();
      job.expiresAt = Date.now() + this.settings.fileTtlSeconds * 1000;
      job.status = 'success';
    } catch (e) {
      this.fail(job, `export failed: ${(e as Error).message}`);
    }
  }

  /** One report's panel: its result (the cached one if current, else a fresh query), or why there is none. */
  private async reportResult(job: ExportJob, report: ResourceRecord): Promise<ExportPanel> {
    const attr = (k: string, dflt: number): number => (typeof report.attributes[k] === 'number' ? (report.attributes[k] as number) : dflt);
    const noData = report.attributes['no_data_message'];
    const vis = report.attributes['chart_configuration'];
    const panel: ExportPanel = {
      title: String(report.attributes['name'] ?? report.id),
      row: job.targetType === 'dashboard' ? attr('row', 1) : 1,
      column: job.targetType === 'dashboard' ? attr('column', 1) : 1,
      width: job.targetType === 'dashboard' ? attr('width', 12) : 12,
      columns: [],
      rows: [],
      total: 0,
      visualisation: typeof vis === 'object' && vis !== null ? (vis as Visualisation) : undefined,
      noDataMessage: typeof noData === 'string' ? noData : undefined,
    };
    let spec;
    try {
      spec = this.queries.reportSpec(report, job.parameters);
    } catch (e) {
      if (e instanceof SpecError) return { ...panel, error: e.message };
      throw e;
    }
    const entry = this.queries.entry(spec);
    let ex: ExecutionRecord | undefined = this.queries.running(entry);
    if (ex === undefined && this.queries.stale(entry)) {
      ex = this.queries.start(spec);
      job.executionIds.push(ex.id);
    }
    if (ex !== undefined) await this.queries.whenDone(ex);
    const ok = this.queries.success(entry);
    const latest = this.queries.latest(entry);
    if (ok === undefined || (latest !== undefined && latest.status !== 'success' && latest.status !== 'cancelled')) {
      return { ...panel, error: latest?.queryError ?? latest?.status ?? 'no data' };
    }
    const rows = await firstRows(this.state, ok, PANEL_ROWS);
    const columns = (ok.columns ?? []).map((c) => ({ name: c.name, type: cluvioDataType(c.typeName, c.elemTypeName) }));
    return { ...panel, columns, rows, total: ok.rowCount ?? rows.length };
  }

  /** The report's complete result as CSV (its own export_query execution), streamed to disk. */
  private async writeCsv(job: ExportJob, report: ResourceRecord, filePath: string): Promise<void> {
    const spec = this.queries.reportSpec(report, job.parameters);
    const ex = this.runner.create(spec.datasourceId, spec.sql, null, spec.parameters, { type: 'export_query' });
    job.executionIds.push(ex.id);
    await this.queries.whenDone(ex);
    if (job.status !== 'running') return;
    if (ex.status !== 'success' || ex.columns === null) throw new Error(ex.queryError ?? `query ${ex.status}`);
    const out = createWriteStream(filePath);
    const write = (s: string): Promise<void> =>
      new Promise((resolve, reject) => {
        if (out.write(s)) resolve();
        else {
          out.once('drain', resolve);
          out.once('error', reject);
        }
      });
    try {
      await write(csvLine(ex.columns.map((c) => c.name), DEFAULT_CSV));
      for await (const batch of rowBatches(this.state, ex)) {
        if (job.status !== 'running') break;
        let chunk = '';
        for (const row of batch) chunk += csvLine(row, DEFAULT_CSV);
        await write(chunk);
      }
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
  }
}
