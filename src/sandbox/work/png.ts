/**
 * PNG exports: the page scene as SVG, rasterised by resvg (@resvg/resvg-js) with the bundled font, then written as
 * an indexed-colour PNG by UPNG (@pdf-lib/upng). The picture is flat colours and anti-aliased text, so a small
 * palette keeps it readable and a fraction of the size: a model sees the image only up to CLUVIO_MAX_IMAGE_KB.
 */
import { createRequire } from 'node:module';
import type { Scene } from '../../charts/scene.js';
import { sceneToSvg } from '../../charts/svg.js';
import { FONT_FAMILY, FONT_FILES } from './fonts.js';

/**
 * Colours in the PNG's palette: one more than the scene's own flat colours, at least 8 and at most 16. Text is
 * most of the bytes (its anti-aliased edges); 8 colours keep it smooth at about 30% less than 16.
 */
export function paletteSize(svg: string): number {
  const flat = new Set(svg.match(/#[0-9a-f]{6}\b/gi) ?? []);
  return Math.min(16, Math.max(8, flat.size + 1));
}

interface Upng {
  encode(frames: ArrayBuffer[], width: number, height: number, colours: number): ArrayBuffer;
}
// A Babel-compiled CommonJS module: its functions are on `default`, which an ESM import would nest once more.
const upng = (createRequire(import.meta.url)('@pdf-lib/upng') as { default: Upng }).default;

export async function renderPng(scene: Scene): Promise<Buffer> {
  // Loaded on the first PNG export: a platform without resvg's prebuilt binary fails this export, not the sandbox.
  const { Resvg } = await import('@resvg/resvg-js');
  const svg = sceneToSvg(scene, { fontFamily: FONT_FAMILY, background: true });
  const image = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: [FONT_FILES.regular, FONT_FILES.bold], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    // Bars, grid lines and panel edges on whole pixels: flat colours, no blended edges to spend palette entries on.
    shapeRendering: 1,
    textRendering: 1,
    logLevel: 'off',
  }).render();
  const rgba = image.pixels;
  const frame = rgba.buffer.slice(rgba.byteOffset, rgba.byteOffset + rgba.byteLength) as ArrayBuffer;
  return Buffer.from(upng.encode([frame], image.width, image.height, paletteSize(svg)));
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.toString('latin1', 1, 4) !== 'PNG' || png.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
