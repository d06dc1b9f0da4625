// A scene as an SVG document (a string). Every shape carries its colour as a presentation attribute, which an
// SVG rasteriser uses; in the MCP Apps view the stylesheet's rules (by class) win over those attributes, so the
// host's theme applies.
import { lightPalette, type Palette } from './palette.js';
import type { Scene, Shape } from './scene.js';

export interface SvgOptions {
  palette?: Palette;
  /** Set on the root (exports name their bundled font); the view leaves it to its stylesheet. */
  fontFamily?: string;
  /** Paint the whole picture with the 'page' colour first (a PNG has no page behind it). */
  background?: boolean;
}

const num = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, ''));

/** Text for XML content and attribute values. Characters XML 1.0 cannot hold at all are dropped. */
export function escapeXml(s: string): string {
  return s
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function attrs(a: Record<string, string | number | undefined>): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) if (v !== undefined) out += ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  return out;
}

function common(s: { cls?: string; data?: Record<string, string | number> }): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = { class: s.cls };
  for (const [k, v] of Object.entries(s.data ?? {})) out[`data-${k}`] = v;
  return out;
}

function element(tag: string, a: Record<string, string | number | undefined>, tip: string | undefined, inner = ''): string {
  const title = tip === undefined ? '' : `<title>${escapeXml(tip)}</title>`;
  const body = title + inner;
  return body ? `<${tag}${attrs(a)}>${body}</${tag}>` : `<${tag}${attrs(a)}/>`;
}

function shape(s: Shape, paint: Palette): string {
  switch (s.type) {
    case 'rect':
      return element('rect', { ...common(s), x: s.x, y: s.y, width: Math.max(0, s.w), height: Math.max(0, s.h), rx: s.radius, fill: s.fill ? paint(s.fill) : 'none', stroke: s.stroke && paint(s.stroke) }, s.tip);
    case 'line':
      return element('line', { ...common(s), x1: s.x1, y1: s.y1, x2: s.x2, y2: s.y2, stroke: paint(s.stroke), 'stroke-width': s.width ?? 1 }, s.tip);
    case 'path': {
      const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(2)},${y.toFixed(2)}`).join('') + (s.closed ? 'Z' : '');
      return element(
        'path',
        {
          ...common(s),
          d,
          fill: s.fill ? paint(s.fill) : 'none',
          'fill-opacity': s.opacity,
          stroke: s.stroke && paint(s.stroke),
          'stroke-width': s.stroke ? (s.width ?? 1) : undefined,
          'stroke-linejoin': s.stroke ? 'round' : undefined,
          'stroke-linecap': s.stroke ? 'round' : undefined,
        },
        s.tip,
      );
    }
    case 'circle':
      return element('circle', { ...common(s), cx: s.cx, cy: s.cy, r: s.r, fill: paint(s.fill) }, s.tip);
    case 'text':
      return element(
        'text',
        {
          ...common(s),
          x: s.x,
          y: s.y,
          'font-size': s.size,
          'font-weight': s.bold ? 'bold' : undefined,
          'text-anchor': s.anchor && s.anchor !== 'start' ? s.anchor : undefined,
          fill: paint(s.fill ?? 'text'),
          transform: s.rotate ? `rotate(${num(s.rotate)} ${num(s.x)} ${num(s.y)})` : undefined,
        },
        s.tip,
        escapeXml(s.text),
      );
    case 'group':
      return element('g', { ...common(s), transform: s.x || s.y ? `translate(${num(s.x ?? 0)} ${num(s.y ?? 0)})` : undefined }, s.tip, s.items.map((i) => shape(i, paint)).join(''));
  }
}

export function sceneToSvg(scene: Scene, opts: SvgOptions = {}): string {
  const paint = opts.palette ?? lightPalette;
  const root = attrs({
    xmlns: 'http://www.w3.org/2000/svg',
    ...common(scene),
    viewBox: `0 0 ${num(scene.width)} ${num(scene.height)}`,
    width: scene.width,
    height: scene.height,
    role: 'img',
    'font-family': opts.fontFamily,
  });
  const title = scene.title === undefined ? '' : `<title>${escapeXml(scene.title)}</title>`;
  const background = opts.background ? `<rect width="100%" height="100%" fill="${paint('page')}"/>` : '';
  return `<svg${root}>${title}${background}${scene.items.map((s) => shape(s, paint)).join('')}</svg>`;
}
