/**
 * A minimal PDF 1.4 writer for export jobs: A4 landscape pages of text with the standard Type 1
 * fonts (no embedding), a title, and one table per report (header, rule, first rows).
 * Content streams are left uncompressed so the text is greppable in tests.
 */

export interface PdfTable {
  title: string;
  /** A line under the title, e.g. "1,204 rows; showing the first 25" or an error. */
  note?: string;
  columns: string[];
  rows: unknown[][];
}

export interface PdfDocument {
  title: string;
  subtitle?: string;
  tables: PdfTable[];
}

const PAGE_W = 842;
const PAGE_H = 595;
const MARGIN = 40;
const CELL_CHARS = 22;

/** Text → a PDF literal string in WinAnsi (Latin-1 subset); other characters become '?'. */
function pdfString(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 63;
    if (c === 0x5c || c === 0x28 || c === 0x29) out += '\\' + ch;
    else if (c < 0x20) out += ' ';
    else if (c < 0x7f || (c >= 0xa0 && c <= 0xff)) out += ch;
    else out += '?';
  }
  return `(${out})`;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function fit(s: string, width: number): string {
  return s.length > width ? s.slice(0, width - 1) + '~' : s.padEnd(width);
}

interface Page {
  ops: string[];
}

export function renderPdf(doc: PdfDocument): Buffer {
  const pages: Page[] = [];
  let page: Page = { ops: [] };
  let y = PAGE_H - MARGIN;
  const newPage = (): void => {
    pages.push(page);
    page = { ops: [] };
    y = PAGE_H - MARGIN;
  };
  const text = (font: 'F1' | 'F2' | 'F3', size: number, s: string, x = MARGIN): void => {
    page.ops.push(`BT /${font} ${size} Tf ${x} ${y.toFixed(1)} Td ${pdfString(s)} Tj ET`);
  };
  const need = (h: number): void => {
    if (y - h < MARGIN) newPage();
  };

  text('F2', 18, doc.title);
  y -= 20;
  if (doc.subtitle !== undefined) {
    text('F1', 9, doc.subtitle);
    y -= 14;
  }
  y -= 8;

  for (const t of doc.tables) {
    need(60);
    text('F2', 12, t.title);
    y -= 14;
    if (t.note !== undefined) {
      text('F1', 8, t.note);
      y -= 12;
    }
    if (t.columns.length > 0) {
      const maxCols = Math.max(1, Math.floor((PAGE_W - 2 * MARGIN) / (4.8 * (CELL_CHARS + 1))));
      const cols = t.columns.slice(0, maxCols);
      const line = (vals: unknown[]): string => cols.map((_, i) => fit(cellText(vals[i]), CELL_CHARS)).join(' ');
      const header = (): void => {
        text('F3', 8, line(cols));
        page.ops.push(`0.5 w ${MARGIN} ${(y - 3).toFixed(1)} m ${PAGE_W - MARGIN} ${(y - 3).toFixed(1)} l S`);
        y -= 12;
      };
      header();
      for (const row of t.rows) {
        if (y - 10 < MARGIN) {
          newPage();
          header();
        }
        text('F3', 8, line(row));
        y -= 10;
      }
    }
    y -= 14;
  }
  pages.push(page);

  // Objects: 1 catalog, 2 pages, 3-5 fonts, 6 info, then (page, content) pairs.
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 7 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
  objects[5] = '<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>';
  objects[6] = `<< /Title ${pdfString(doc.title)} /Producer (cluvio-mcp sandbox) >>`;
  pages.forEach((p, i) => {
    const id = pageIds[i] as number;
    const content = Buffer.from(p.ops.join('\n'), 'latin1');
    objects[id] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] ` +
      `/Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents ${id + 1} 0 R >>`;
    objects[id + 1] = `<< /Length ${content.length} >>\nstream\n${content.toString('latin1')}\nendstream`;
  });

  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]?.length ?? 0;
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = offset;
    const b = Buffer.from(`${id} 0 obj\n${objects[id] ?? 'null'}\nendobj\n`, 'latin1');
    chunks.push(b);
    offset += b.length;
  }
  let xref = `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) xref += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  xref += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${offset}\n%%EOF\n`;
  chunks.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(chunks);
}
