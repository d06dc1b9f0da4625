// Builds the results view (an MCP App) into one self-contained file, dist/ui/view.html: the script (with the
// MCP Apps SDK's App class) and the stylesheet are inlined, so the view fetches nothing when it renders.
// Usage: node ui/build.mjs   (part of `npm run build`; the server reads the file when a host first asks for it)
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outFile = join(here, '..', 'dist', 'ui', 'view.html');

// zod (used by the SDK to check messages) re-exports ~40 message locales; the view only ever uses English, which
// zod loads on its own. Keeping just `en` in that index takes ~260 kB out of the file.
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";', loader: 'js' }));
  },
};

const result = await build({
  entryPoints: [join(here, 'view.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  platform: 'browser',
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
  plugins: [englishOnly],
});
// Nothing inside the inline <script> may close it.
const js = result.outputFiles[0].text.replace(/<\/(script)/gi, '<\\/$1');
const css = readFileSync(join(here, 'view.css'), 'utf8');
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Cluvio results</title>
<style>${css}</style>
</head>
<body>
<main id="root" aria-live="polite"></main>
<script>${js}</script>
</body>
</html>
`;
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, html);
console.log(`ui: ${outFile.slice(join(here, '..').length + 1)} ${(Buffer.byteLength(html) / 1024).toFixed(0)} kB`);
