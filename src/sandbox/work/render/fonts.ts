/**
 * The font of the exports: DejaVu Sans (regular and bold) from the dejavu-fonts-ttf package, never a system font,
 * so a PNG or PDF looks the same on every machine (the Docker image has no fonts at all). src/charts/text.ts
 * measures text with this font's widths.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const FONT_FAMILY = 'DejaVu Sans';

const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export const FONT_FILES = {
  regular: path.join(dir, 'DejaVuSans.ttf'),
  bold: path.join(dir, 'DejaVuSans-Bold.ttf'),
} as const;

let bytes: { regular: Buffer; bold: Buffer } | undefined;

/** The two font files' contents, read once. */
export function fontBytes(): { regular: Buffer; bold: Buffer } {
  bytes ??= { regular: readFileSync(FONT_FILES.regular), bold: readFileSync(FONT_FILES.bold) };
  return bytes;
}
