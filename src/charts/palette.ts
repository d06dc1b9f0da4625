// The colours of the light theme (ui/view.css holds the same ones as CSS variables, where the view's CSS wins and
// follows the host's theme). Few, flat colours keep an exported PNG small.
import type { Ink } from './scene.js';

export type Palette = (ink: Ink) => string;

const LIGHT: Record<string, string> = {
  text: '#1f2328',
  muted: '#59636e',
  grid: '#eaeef2',
  axis: '#d1d9e0',
  border: '#d1d9e0',
  panel: '#ffffff',
  page: '#ffffff',
  danger: '#cf222e',
};
const SERIES = ['#2f6fde', '#e8730c', '#1a9e5c', '#c2378a', '#7a4fd6', '#0f9bb0', '#b8860b', '#6e7781'];

export const lightPalette: Palette = (ink) => {
  const slot = /^series-(\d+)$/.exec(ink);
  if (slot) return SERIES[(Number(slot[1]) - 1) % SERIES.length] ?? SERIES[0]!;
  return LIGHT[ink] ?? LIGHT.text!;
};

/** "#2f6fde" → [0.18, 0.44, 0.87] (for pdf-lib's rgb()). */
export function rgbOf(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}
