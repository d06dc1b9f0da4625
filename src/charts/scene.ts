// The display model: what to draw, as a list of positioned shapes and texts in pixels (y down, as in SVG).
// One model, three renderers: an SVG string (svg.ts; the MCP Apps view puts it into its page, the sandbox's PNG
// export rasterises it), and the sandbox's PDF export, which draws the same shapes and texts with pdf-lib.

/** A colour by role; the palette (or, in the view, the theme's CSS) decides the actual colour. */
export type Ink = 'text' | 'muted' | 'grid' | 'axis' | 'border' | 'panel' | 'page' | 'danger' | `series-${number}`;

interface Common {
  /** CSS classes (the view styles and themes by them; exports ignore them). */
  cls?: string;
  /** A tooltip (an SVG <title>). */
  tip?: string;
  /** data-* attributes, for the view's tests and scripts. */
  data?: Record<string, string | number>;
}

export interface RectShape extends Common {
  type: 'rect';
  x: number;
  y: number;
  w: number;
  h: number;
  fill?: Ink;
  stroke?: Ink;
  radius?: number;
}

export interface LineShape extends Common {
  type: 'line';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  stroke: Ink;
  width?: number;
}

/** A polyline or (closed) polygon. */
export interface PathShape extends Common {
  type: 'path';
  points: Array<[number, number]>;
  closed?: boolean;
  stroke?: Ink;
  fill?: Ink;
  width?: number;
  /** Fill opacity, 0–1. */
  opacity?: number;
}

export interface CircleShape extends Common {
  type: 'circle';
  cx: number;
  cy: number;
  r: number;
  fill: Ink;
}

/** One line of text; y is its baseline. */
export interface TextShape extends Common {
  type: 'text';
  x: number;
  y: number;
  text: string;
  size: number;
  fill?: Ink;
  anchor?: 'start' | 'middle' | 'end';
  bold?: boolean;
  /** Degrees, clockwise, around (x, y). */
  rotate?: number;
}

/** Shapes moved together by (x, y). */
export interface GroupShape extends Common {
  type: 'group';
  x?: number;
  y?: number;
  items: Shape[];
}

export type Shape = RectShape | LineShape | PathShape | CircleShape | TextShape | GroupShape;

export interface Scene {
  width: number;
  height: number;
  items: Shape[];
  /** What the picture shows, in words (the SVG's <title>). */
  title?: string;
  cls?: string;
  data?: Record<string, string | number>;
}

/** Every text of a scene, in drawing order (for tests, and for checks that nothing is left out). */
export function textsOf(items: Shape[]): string[] {
  return items.flatMap((s) => (s.type === 'text' ? [s.text] : s.type === 'group' ? textsOf(s.items) : []));
}
