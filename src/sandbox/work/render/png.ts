/**
 * PNG exports: the page scene as SVG, rasterised by resvg (@resvg/resvg-js) with the bundled font, each pixel then
 * snapped to the nearest of the scene's own few colours, and written by UPNG (@pdf-lib/upng) as an indexed-colour
 * PNG. Text is most of an export's bytes (its anti-aliased edges): with a few shades for those edges, text stays
 * smooth at about a third of the size of full colour, and every series keeps its exact colour. A model sees the image only up to CLUVIO_MAX_IMAGE_KB (24 kB by default).
 */
import { createRequire } from 'node:module';
import { lightPalette } from '../../../charts/palette.js';
import type { Scene } from '../../../charts/scene.js';
import { sceneToSvg } from '../../../charts/svg.js';
import { FONT_FAMILY, FONT_FILES } from './fonts.js';

interface Upng {
  encode(frames: ArrayBuffer[], width: number, height: number, colours: number): ArrayBuffer;
}
// A Babel-compiled CommonJS module: its functions are on `default`, which an ESM import would nest once more.
const upng = (createRequire(import.meta.url)('@pdf-lib/upng') as { default: Upng }).default;

type Rgb = [number, number, number];
const rgb = (hex: string): Rgb => {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};

/** Shades of the text colour over the page, for the edges of glyphs: without them small decimal points fade. */
const TEXT_SHADES = [0.25, 0.5, 0.75];

/**
 * The colours an export's pixels may take: those of its SVG, always the page and the theme's greys, and three
 * shades of the text colour (at most 16 with eight series: a 4-bit palette).
 */
export function paletteOf(svg: string): Rgb[] {
  const always = (['page', 'text', 'muted', 'axis', 'grid'] as const).map((ink) => lightPalette(ink));
  const hexes = new Set([...always, ...(svg.match(/#[0-9a-f]{6}\b/gi) ?? [])].map((h) => h.toLowerCase()));
  const text = rgb(lightPalette('text'));
  const page = rgb(lightPalette('page'));
  const shades = TEXT_SHADES.map((a) => text.map((v, i) => Math.round(v * a + page[i]! * (1 - a))) as Rgb);
  return [...[...hexes].map(rgb), ...shades];
}

/** Every pixel as the nearest palette colour (opaque); each distinct colour is looked up once. */
export function snapToPalette(rgba: Uint8Array, palette: Rgb[]): Uint8Array {
  const out = new Uint8Array(rgba.length);
  const nearest = new Map<number, Rgb>();
  for (let i = 0; i < rgba.length; i += 4) {
    const r = rgba[i]!;
    const g = rgba[i + 1]!;
    const b = rgba[i + 2]!;
    const key = (r << 16) | (g << 8) | b;
    let best = nearest.get(key);
    if (best === undefined) {
      let distance = Infinity;
      for (const p of palette) {
        const d = (p[0] - r) ** 2 + (p[1] - g) ** 2 + (p[2] - b) ** 2;
        if (d < distance) [distance, best] = [d, p];
      }
      nearest.set(key, best!);
    }
    out[i] = best![0];
    out[i + 1] = best![1];
    out[i + 2] = best![2];
    out[i + 3] = 255;
  }
  return out;
}

export async function renderPng(scene: Scene): Promise<Buffer> {
  // Loaded on the first PNG export: a platform without resvg's prebuilt binary fails this export, not the sandbox.
  const { renderAsync } = await import('@resvg/resvg-js');
  const svg = sceneToSvg(scene, { fontFamily: FONT_FAMILY, background: true });
  // Off the main thread (it parses the fonts too): the sandbox shares its process with the MCP server.
  const image = await renderAsync(svg, {
    font: { loadSystemFonts: false, fontFiles: [FONT_FILES.regular, FONT_FILES.bold], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    // Bars, grid lines and panel edges on whole pixels: flat colours, no blended edges.
    shapeRendering: 1,
    textRendering: 1,
    logLevel: 'off',
  });
  const pixels = snapToPalette(image.pixels, paletteOf(svg));
  // 0 colours = no further quantising: the image has a few exact colours, which UPNG writes as a palette.
  return Buffer.from(upng.encode([pixels.buffer as ArrayBuffer], image.width, image.height, 0));
}
