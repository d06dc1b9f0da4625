/**
 * `cluvio-mcp check`: first contact with an account. Verifies the key and region, calls every read operation of
 * the catalog whose route is GET (and with --run-query starts one SELECT 1), compares each answer with the
 * reference, tries candidate routes for what is not found, and prints what works. Loads no MCP server machinery:
 * the clients, the catalog and the tools' presentation code only.
 */
import { writeFileSync } from 'node:fs';
import { ApiClient, sharedAgent } from '../cluvio/api-client.js';
import { DataClient } from '../cluvio/data-client.js';
import { REGIONS, type CheckOptions, type Config } from '../config.js';
import { Inventory } from '../inventory.js';
import { createLogger } from '../logger.js';
import { SERVER_VERSION } from '../version.js';
import { recordingOf } from './recording.js';
import { REFERENCE_VERSION } from './reference.js';
import { renderJson, renderTable, summarise, type Outcome } from './report.js';
import { CheckAbort, Checker } from './runner.js';

/** Exit codes: everything answered as documented (or was not checked); something failed; nothing could be checked. */
export const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

export async function runCheck(config: Config, options: CheckOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const logger = createLogger(config.logLevel);
  const dispatcher = sharedAgent();
  const api = new ApiClient({ baseUrl: config.apiUrl, apiKey: config.apiKey ?? '', timeoutMs: config.requestTimeoutMs, logger, dispatcher });
  const data = new DataClient({ baseUrl: config.dataUrl, timeoutMs: config.requestTimeoutMs, logger, dispatcher });
  const checker = new Checker({ api, data, config, logger, inventory: new Inventory(config) }, options.runQuery);
  try {
    await checker.run();
  } catch (err) {
    if (!(err instanceof CheckAbort)) throw err;
    process.stderr.write(`cluvio-mcp check: ${err.message}\n`);
    if (options.json) out.write(`${JSON.stringify({ api_url: config.apiUrl, error: err.message })}\n`);
    return EXIT.refused;
  } finally {
    await dispatcher.close();
    logger.flush();
  }

  const outcome: Outcome = {
    apiUrl: config.apiUrl,
    reference: REFERENCE_VERSION,
    rows: checker.rows,
    notGet: checker.plan.notGet.map((op) => op.id),
    cleanup: checker.cleanup,
  };
  if (options.writeRoutes && Object.keys(checker.found).length > 0) {
    writeFileSync(options.writeRoutes, `${JSON.stringify({ ...config.routeOverrides, ...checker.found }, null, 2)}\n`);
    outcome.routesFile = options.writeRoutes;
  }
  if (options.record) {
    const server = config.apiUrl === REGIONS[config.region].apiUrl ? config.region : 'custom';
    const recording = recordingOf(checker, { version: SERVER_VERSION, reference: REFERENCE_VERSION, server });
    writeFileSync(options.record, `${JSON.stringify(recording, null, 2)}\n`);
    outcome.recordFile = options.record;
  }
  out.write(options.json ? renderJson(outcome) : renderTable(outcome));
  return summarise(checker.rows).ok ? EXIT.ok : EXIT.failed;
}
