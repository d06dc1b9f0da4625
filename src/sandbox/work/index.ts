/**
 * The sandbox's work: the execution runner and what runs on it — cached report and filter queries,
 * export jobs, SQL alert runs. Routes call into it; it knows nothing of HTTP requests.
 */
import type { FaultInjector } from '../faults/index.js';
import type { SandboxState } from '../state.js';
import { SqlAlerts } from './alerts.js';
import { ExportJobs } from './exports.js';
import { WorkQueries } from './queries.js';
import { ExecutionRunner } from './runner.js';

export interface Work {
  runner: ExecutionRunner;
  queries: WorkQueries;
  exports: ExportJobs;
  alerts: SqlAlerts;
  /** Stops timers and removes export files. */
  close(): void;
}

export function createWork(state: SandboxState, faults: FaultInjector): Work {
  const runner = new ExecutionRunner(state, faults);
  const queries = new WorkQueries(state, runner);
  const exports = new ExportJobs(state, runner, queries);
  const alerts = new SqlAlerts(state, runner);
  return {
    runner,
    queries,
    exports,
    alerts,
    close: () => {
      runner.close();
      exports.close();
    },
  };
}
