// The built-in sandbox for docker-compose.yml. `cluvio-mcp sandbox` listens on 127.0.0.1 with a random API key,
// which the replicas' containers can neither reach nor know; this starts the same sandbox (dist/sandbox) on
// SANDBOX_HOST (default 0.0.0.0) and SANDBOX_PORT (API; data on the next port, default 9000) with SANDBOX_API_KEY.
// Prints the same JSON line as `cluvio-mcp sandbox`. Runs from the image's /app (compose mounts it there) or the repo.
import { startSandbox } from '../../dist/sandbox/index.js';

const apiKey = process.env.SANDBOX_API_KEY ?? '';
if (apiKey.length < 8) {
  process.stderr.write('deploy/compose/sandbox.mjs: set SANDBOX_API_KEY (at least 8 characters), the key the replicas send as CLUVIO_API_KEY\n');
  process.exit(2);
}
const sandbox = await startSandbox({ host: process.env.SANDBOX_HOST ?? '0.0.0.0', apiPort: Number(process.env.SANDBOX_PORT ?? 9000), apiKey });
process.stdout.write(`${JSON.stringify({ api_url: sandbox.apiUrl, data_url: sandbox.dataUrl })}\n`);
await new Promise((resolve) => {
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, resolve);
});
await sandbox.close();
