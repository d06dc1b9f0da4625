// Build step after tsc: bundles dist/cli.js and dist/transports/http.js (shared code in dist/chunk-*.js), in place.
// Start-up cost is mostly module loading (~170 ESM files); one minified file loads ~2x faster.
// Kept external: the sandbox (loaded only with --sandbox; PGlite resolves wasm/data next to its module and the
// engine runs dist/sandbox/engine/worker.js), undici (imported on the first request), PGlite, prom-client (imported only
// with metrics on).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const dist = fileURLToPath(new URL('../dist', import.meta.url));
// Chunk names carry a content hash (shared code: chunk-*; a module loaded per command, e.g. serve-*, check-*):
// drop the previous build's, or they pile up in dist/ (and in the package).
for (const f of readdirSync(dist)) if (/^[a-z]+-[A-Z0-9]{8}\.js$/.test(f)) rmSync(`${dist}/${f}`);
const stub = (p) => fileURLToPath(new URL(`./bundle/${p}`, import.meta.url));
await build({
  entryPoints: [`${dist}/cli.js`, `${dist}/transports/http.js`],
  outdir: dist, outbase: dist, allowOverwrite: true, splitting: true, chunkNames: '[name]-[hash]',
  bundle: true, platform: 'node', format: 'esm', target: 'node20', minify: true, legalComments: 'none', sourcemap: false,
  external: ['./sandbox/index.js', '@electric-sql/pglite', 'undici', 'prom-client'],
  // pino and ajv (CommonJS) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);" },
  plugins: [
    // zod re-exports all ~60 locales as z.locales (366 KB); only English (the default) is used.
    { name: 'zod-locales', setup: (b) => b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) => (a.importer.includes('/zod/v4/') ? { path: stub('zod-locales.mjs') } : undefined)) },
    // The SDK's Node shim loads ajv eagerly (290 KB, ~15 ms) only to validate elicitation replies, which we never request.
    { name: 'mcp-shims', setup: (b) => b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({ path: stub('mcp-shims.mjs') })) },
  ],
  logLevel: 'warning',
});
