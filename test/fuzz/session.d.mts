import type { Tool } from './plan.mjs';

export const CLI: string;
export const SAMPLE_DATASOURCE: string;

export interface SandboxInfo {
  api_url: string;
  data_url: string;
  api_key: string;
}
export interface Sandbox {
  info: SandboxInfo;
  env: Record<string, string>;
  pid: number | undefined;
  alive(): boolean;
  stderr(): string;
  close(): Promise<void>;
}
export function startSandbox(): Promise<Sandbox>;
export function existingIds(info: SandboxInfo): Promise<Record<string, string[]>>;

export interface CallOutcome {
  outcome: 'result' | 'isError' | 'protocol' | 'hang' | 'crash' | 'malformed' | 'cancelled';
  ms: number;
  text?: string;
  error?: { code: number; message: string };
  problem?: string;
}

export class RawMcp {
  static start(args: string[], env: Record<string, string>): Promise<RawMcp>;
  exit: { code: number | null; signal: string | null } | undefined;
  notifications: number;
  late: number;
  request(
    method: string,
    params: unknown,
    timeoutMs: number,
    opts?: { cancelAfterMs?: number; graceMs?: number },
  ): Promise<{ outcome: 'ok' | 'error' | 'hang' | 'crash' | 'cancelled'; ms: number; result?: any; error?: { code: number; message: string } }>;
  notify(method: string, params?: unknown): void;
  listTools(): Promise<Tool[]>;
  call(name: string, args: unknown, timeoutMs?: number, how?: { progressToken?: string | number; cancelAfterMs?: number }): Promise<CallOutcome>;
  pid(): number | undefined;
  alive(): boolean;
  stderr(): string;
  alarms(): { lines: string[]; unhandled: number };
  warnings(): string[];
  close(): Promise<void>;
}

export function warmUp(mcp: RawMcp): Promise<void>;
export function healthProblems(mcp: RawMcp, discovery?: boolean): Promise<string[]>;
