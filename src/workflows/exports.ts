import { undici } from '../cluvio/undici.js';
import type { CallContext } from '../context.js';
import type { ToolOutput } from '../results/output.js';
import { startWork, waitUntilDone } from './work.js';


interface ExportJob {
  job_status?: string;
  file_url?: string;
  error_message?: string;
}

type Format = 'pdf' | 'png' | 'csv';

/**
 * Handler for an export operation: start the job, poll Get Export Job until it has a file, then return
 * the download URL as text (and a small PNG inline). Cancelling the call cancels the job.
 */
export function exportHandler(format: Format, what: 'dashboard' | 'report') {
  return async (args: Record<string, unknown>, ctx: CallContext): Promise<ToolOutput> => {
    const started = (await startWork(ctx, args, async (answer) => {
      const id = (answer as { job_id?: unknown } | undefined)?.job_id;
      if (typeof id === 'string' || typeof id === 'number') await cancelJobQuietly(String(id), ctx);
    })) as { job_id?: unknown } | undefined;
    const jobId = started?.job_id;
    if (typeof jobId !== 'string' && typeof jobId !== 'number') throw new Error('Cluvio returned no export job id');
    return waitForExport(String(jobId), format, `${format.toUpperCase()} of ${what} ${String(args.id)}`, Number(args.max_wait_seconds ?? 45), ctx);
  };
}

export async function waitForExport(jobId: string, format: Format, label: string, maxWaitSeconds: number, ctx: CallContext): Promise<ToolOutput> {
  let waited;
  try {
    waited = await waitUntilDone<ExportJob>({
      poll: async (signal) => ((await ctx.request(ctx.ops.getExportJob, { id: jobId }, { signal })) ?? {}) as ExportJob,
      isDone: (j) => j.job_status === 'success' || j.job_status === 'error',
      describe: (j, ms) => ({ progress: Math.round(ms / 100) / 10, message: `Export ${j.job_status ?? 'started'} (${(ms / 1000).toFixed(1)} s)` }),
      budgetMs: maxWaitSeconds * 1000,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
  } catch (err) {
    if (ctx.signal.aborted) await cancelJobQuietly(jobId, ctx);
    throw err;
  }
  const job = waited.state;
  const status = job.job_status ?? 'unknown';
  if (!waited.done) {
    const next = `get_export_job {"id":"${jobId}"}`;
    return { text: `The ${label} is still being made (job ${jobId}, ${status}). Check it with ${next}.`, structured: { job_id: jobId, job_status: status, next } };
  }
  if (status === 'error' || !job.file_url) {
    return {
      text: `The ${label} failed (job ${jobId})${job.error_message ? `: ${job.error_message}` : ''}. Check the parameters and try again.`,
      structured: { job_id: jobId, job_status: status, ...(job.error_message ? { error_message: job.error_message } : {}) },
      isError: true,
    };
  }
  let text = `The ${label} is ready (job ${jobId}): ${job.file_url}\nThe link is valid for a short time only.`;
  const structured = { job_id: jobId, job_status: status, file_url: job.file_url };
  const maxBytes = ctx.config.maxImageKb * 1000;
  const image = format === 'png' && maxBytes > 0 ? await fetchSmallImage(job.file_url, maxBytes, ctx) : undefined;
  // The link is in the text only, never a resource_link: LangChain's adapters turn one into a file block that
  // ChatOpenAI and ChatAnthropic refuse (the conversation cannot continue), and beside an image it makes the
  // OpenAI Agents SDK send the whole content, base64 included, to the model as text.
  if (image === TOO_LARGE) text += ` (The image is larger than ${ctx.config.maxImageKb} kB, too large to show here.)`;
  else if (image) return { text, structured, extra: [{ type: 'image', data: image, mimeType: 'image/png' }] };
  return { text, structured };
}

const TOO_LARGE = Symbol('too large');

/** The image at `url` as base64 if it is at most `maxBytes` long, TOO_LARGE if longer, undefined if it could not be fetched. */
async function fetchSmallImage(url: string, maxBytes: number, ctx: CallContext): Promise<string | typeof TOO_LARGE | undefined> {
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    const { request } = await undici();
    const res = await request(url, { method: 'GET', signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(15_000)]) });
    if (res.statusCode !== 200) {
      // An unread body that is dropped fails with "Request aborted"; with no listener that error is uncaught and ends the process.
      res.body.on('error', () => {});
      res.body.destroy();
      return undefined;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.body.destroy();
        return TOO_LARGE;
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('base64');
  } catch (err) {
    ctx.logger.debug({ error: (err as Error).message }, 'could not fetch the exported image');
    return undefined;
  }
}

async function cancelJobQuietly(id: string, ctx: CallContext): Promise<void> {
  try {
    await ctx.request(ctx.ops.cancelExportJob, { id }, { signal: AbortSignal.timeout(5_000) });
    ctx.logger.info({ job: id }, 'cancelled export job after the client cancelled');
  } catch (err) {
    ctx.logger.warn({ job: id, error: (err as Error).message }, 'could not cancel export job');
  }
}
