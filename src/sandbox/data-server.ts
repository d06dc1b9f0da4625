/**
 * The data server: `GET /<data_key>` with `Authorization: Data <token>`.
 * Result data is streamed: metadata first, then `rows` in batches read from the engine's stored
 * result table, honouring back-pressure, so memory stays bounded for any result size.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, JSON_TYPE, sendError, send } from './http.js';
import { cluvioDataType, humanName } from './engine/types.js';
import { dataTimestamp, type SandboxState } from './state.js';
import type { SchemaEntry } from './engine/protocol.js';
import { csvLine, rowBatches, rowJsonBatches } from './work/rows.js';

export async function handleData(state: SandboxState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (req.method !== 'GET') throw new ApiError(405, 'only GET is supported on the data server');
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const dataKey = url.pathname.replace(/^\/+/, '');
    const entry = state.dataKeys.get(dataKey);
    if (entry === undefined) throw new ApiError(404, 'data not found');
    const auth = req.headers.authorization ?? '';
    const m = /^Data\s+(\S+)$/.exec(auth);
    if (m === null) throw new ApiError(401, 'missing data access token: use "Authorization: Data <token>"');
    const tok = state.tokens.get(m[1] ?? '');
    if (tok === undefined || tok.dataKey !== dataKey) throw new ApiError(401, 'invalid data access token for this data key');
    if (tok.expiresAt < Date.now()) throw new ApiError(401, 'data access token expired');

    if (entry.target.kind === 'schema') {
      const t = entry.target;
      const ds = state.datasources.get(t.datasourceId);
      if (ds === undefined) throw new ApiError(404, 'datasource not found');
      const schemas: SchemaEntry[] = ds.engineDb === null ? [] : await state.engine.schema(ds.engineDb);
      if (t.schemaName !== null) {
        const one = schemas.find((s) => s.name === t.schemaName);
        if (one === undefined) throw new ApiError(404, `schema ${t.schemaName} not found`);
        send(res, 200, one, 'json');
      } else {
        send(res, 200, { schemas }, 'json');
      }
      return;
    }

    const ex = state.executions.get(entry.target.executionId);
    if (ex === undefined || ex.store === null || ex.columns === null) throw new ApiError(404, 'result data no longer available');
    if (state.datasources.get(ex.datasourceId)?.engineDb == null) throw new ApiError(404, 'result data no longer available');
    const columns = ex.columns;
    const write = async (chunk: string): Promise<void> => {
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      if (res.destroyed) throw new Error('client went away');
    };

    const csv = entry.target.csv;
    if (csv !== undefined) {
      // CSV (Get Report Data with data_format csv): a header line, then the rows, streamed in batches.
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
      await write(csvLine(columns.map((c) => c.name), csv));
      for await (const batch of rowBatches(state, ex)) {
        let chunk = '';
        for (const row of batch) chunk += csvLine(row, csv);
        await write(chunk);
      }
      res.end();
      return;
    }

    const fields = columns.map((c, idx) => ({
      idx,
      name: c.name,
      data_type: cluvioDataType(c.typeName, c.elemTypeName),
      human_name: humanName(c.name),
    }));
    const head =
      `{"fields":${JSON.stringify(fields)}` +
      `,"execution_id":${JSON.stringify(ex.id)}` +
      `,"data_timestamp":${dataTimestamp(ex)}` +
      `,"sql_rows":${ex.rowCount ?? 0},"sql_columns":${columns.length}` +
      `,"size_in_bytes":${ex.sizeBytes ?? 0},"time_zone":${JSON.stringify(ex.timeZone)}` +
      `,"rows":[`;
    res.writeHead(200, { 'content-type': `${JSON_TYPE}; charset=utf-8` });
    await write(head);
    let first = true;
    for await (const json of rowJsonBatches(state, ex)) {
      await write((first ? '' : ',') + json);
      first = false;
    }
    res.end(']}');
  } catch (e) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof ApiError) sendError(res, e, 'json');
    else sendError(res, new ApiError(500, (e as Error).message), 'json');
  }
}
