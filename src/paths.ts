/**
 * dist/ at run time. This module sits at the top of src/ so the answer is the same unbundled (dist/paths.js)
 * and bundled (scripts/bundle.mjs puts shared code in dist/chunk-*.js, next to dist/cli.js).
 */
export const DIST_DIR = new URL('./', import.meta.url);
