/**
 * A small PNG writer for export jobs (RGB, 8 bit, zlib via node:zlib): a dashboard-like image
 * with one panel per report, each a bar chart of the report's first numeric column.
 * Images stay small (a few kB to tens of kB): flat colours compress well.
 */
import { deflateSync } from 'node:zlib';

export interface PngPanel {
  /** Bar heights (first numeric column of the first rows); empty = no data / error panel. */
  values: number[];
  /** The panel failed (query error): drawn with a red header. */
  failed?: boolean;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** Encode an RGB pixel buffer (width*height*3 bytes) as PNG. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

type Rgb = readonly [number, number, number];
const BG: Rgb = [245, 246, 248];
const PANEL: Rgb = [255, 255, 255];
const BORDER: Rgb = [210, 214, 220];
const HEADER: Rgb = [52, 84, 122];
const HEADER_FAILED: Rgb = [190, 60, 60];
const GRID: Rgb = [232, 235, 239];
const BARS: Rgb[] = [
  [66, 133, 244],
  [52, 168, 83],
  [251, 188, 5],
  [234, 67, 53],
  [155, 89, 182],
  [26, 188, 156],
];

/** Panels laid out two per row, like a dashboard grid. */
export function renderDashboardPng(panels: PngPanel[], width = 800): Buffer {
  const cols = panels.length > 1 ? 2 : 1;
  const gap = 16;
  const panelW = Math.floor((width - gap * (cols + 1)) / cols);
  const panelH = 220;
  const rowsN = Math.max(1, Math.ceil(panels.length / cols));
  const height = gap + rowsN * (panelH + gap);
  const px = new Uint8Array(width * height * 3);
  const fill = (x0: number, y0: number, x1: number, y1: number, c: Rgb): void => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) {
        const i = (y * width + x) * 3;
        px[i] = c[0];
        px[i + 1] = c[1];
        px[i + 2] = c[2];
      }
    }
  };
  fill(0, 0, width, height, BG);
  panels.forEach((p, idx) => {
    const x0 = gap + (idx % cols) * (panelW + gap);
    const y0 = gap + Math.floor(idx / cols) * (panelH + gap);
    fill(x0 - 1, y0 - 1, x0 + panelW + 1, y0 + panelH + 1, BORDER);
    fill(x0, y0, x0 + panelW, y0 + panelH, PANEL);
    fill(x0, y0, x0 + panelW, y0 + 6, p.failed === true ? HEADER_FAILED : HEADER);
    const cx0 = x0 + 14;
    const cx1 = x0 + panelW - 14;
    const cy0 = y0 + 22;
    const cy1 = y0 + panelH - 14;
    for (let g = 0; g <= 4; g++) {
      const gy = Math.round(cy1 - ((cy1 - cy0) * g) / 4);
      fill(cx0, gy, cx1, gy + 1, GRID);
    }
    const values = p.values.filter((v) => Number.isFinite(v)).slice(0, 40);
    if (values.length === 0) return;
    const max = Math.max(...values.map((v) => Math.abs(v)), 1e-9);
    const slot = (cx1 - cx0) / values.length;
    const barW = Math.max(1, Math.floor(slot * 0.7));
    const colour = BARS[idx % BARS.length] as Rgb;
    values.forEach((v, i) => {
      const h = Math.round((Math.abs(v) / max) * (cy1 - cy0));
      const bx = Math.round(cx0 + i * slot + (slot - barW) / 2);
      fill(bx, cy1 - h, bx + barW, cy1, colour);
    });
    fill(cx0, cy1, cx1, cy1 + 1, BORDER);
  });
  return encodePng(width, height, px);
}

/** Width and height from a PNG's IHDR chunk (for tests and checks). */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('ascii', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG');
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
