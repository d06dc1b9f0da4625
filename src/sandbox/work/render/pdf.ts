/**
 * PDF exports: the same page scene as the PNG, drawn with pdf-lib as vector shapes and real text in the bundled
 * font (embedded as a subset), so the titles and numbers can be searched, selected and read by pdftotext.
 * One page, as wide as the scene at 0.75 pt per pixel (CSS pixels at 96 dpi).
 */
import type { Color, PDFFont, PDFPage } from 'pdf-lib';
import { lightPalette, rgbOf } from '../../../charts/palette.js';
import type { Ink, Scene, Shape } from '../../../charts/scene.js';
import { fontBytes } from './fonts.js';

const PT_PER_PX = 0.75;

export interface PdfInfo {
  title: string;
  subject?: string;
}

export async function renderPdf(scene: Scene, info: PdfInfo): Promise<Buffer> {
  // Loaded on the first PDF export, like resvg for PNGs: only the sandbox needs them.
  const { PDFDocument, rgb, degrees, LineCapStyle } = await import('pdf-lib');
  const { default: fontkit } = await import('@pdf-lib/fontkit');
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const fonts = fontBytes();
  const regular = await doc.embedFont(fonts.regular, { subset: true });
  const bold = await doc.embedFont(fonts.bold, { subset: true });
  const width = scene.width * PT_PER_PX;
  const height = scene.height * PT_PER_PX;
  const page = doc.addPage([width, height]);
  const colour = (ink: Ink): Color => rgb(...rgbOf(lightPalette(ink)));
  page.drawRectangle({ x: 0, y: 0, width, height, color: colour('page') });

  // Scene pixels (y down) → PDF points (y up).
  const X = (x: number) => x * PT_PER_PX;
  const Y = (y: number) => height - y * PT_PER_PX;

  const draw = (p: PDFPage, s: Shape, ox: number, oy: number): void => {
    switch (s.type) {
      case 'group':
        for (const item of s.items) draw(p, item, ox + (s.x ?? 0), oy + (s.y ?? 0));
        return;
      case 'rect':
        if (s.w <= 0 || s.h <= 0) return;
        p.drawRectangle({
          x: X(ox + s.x),
          y: Y(oy + s.y + s.h),
          width: s.w * PT_PER_PX,
          height: s.h * PT_PER_PX,
          ...(s.fill ? { color: colour(s.fill) } : {}),
          ...(s.stroke ? { borderColor: colour(s.stroke), borderWidth: PT_PER_PX } : {}),
        });
        return;
      case 'line':
        p.drawLine({ start: { x: X(ox + s.x1), y: Y(oy + s.y1) }, end: { x: X(ox + s.x2), y: Y(oy + s.y2) }, thickness: (s.width ?? 1) * PT_PER_PX, color: colour(s.stroke) });
        return;
      case 'path': {
        if (s.points.length === 0) return;
        const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(2)} ${y.toFixed(2)}`).join(' ') + (s.closed ? ' Z' : '');
        p.drawSvgPath(d, {
          x: X(ox),
          y: Y(oy),
          scale: PT_PER_PX,
          ...(s.fill ? { color: colour(s.fill), opacity: s.opacity ?? 1 } : {}),
          ...(s.stroke ? { borderColor: colour(s.stroke), borderWidth: (s.width ?? 1) * PT_PER_PX, borderLineCap: LineCapStyle.Round } : {}),
        });
        return;
      }
      case 'circle':
        p.drawCircle({ x: X(ox + s.cx), y: Y(oy + s.cy), size: s.r * PT_PER_PX, color: colour(s.fill) });
        return;
      case 'text': {
        if (s.text === '') return;
        const font: PDFFont = s.bold ? bold : regular;
        const size = s.size * PT_PER_PX;
        const w = font.widthOfTextAtSize(s.text, size);
        const shift = s.anchor === 'end' ? -w : s.anchor === 'middle' ? -w / 2 : 0;
        // SVG turns clockwise with y down; PDF counter-clockwise with y up: the same turn, the other sign.
        const angle = (-(s.rotate ?? 0) * Math.PI) / 180;
        p.drawText(s.text, {
          x: X(ox + s.x) + shift * Math.cos(angle),
          y: Y(oy + s.y) + shift * Math.sin(angle),
          size,
          font,
          color: colour(s.fill ?? 'text'),
          ...(s.rotate ? { rotate: degrees(-s.rotate) } : {}),
        });
        return;
      }
    }
  };
  for (const s of scene.items) draw(page, s, 0, 0);

  doc.setTitle(info.title);
  if (info.subject !== undefined) doc.setSubject(info.subject);
  doc.setCreator('cluvio-mcp sandbox');
  doc.setProducer('cluvio-mcp sandbox (pdf-lib)');
  return Buffer.from(await doc.save());
}
