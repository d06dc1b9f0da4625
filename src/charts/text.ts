// How wide a text is, without a browser or a font engine: DejaVu Sans's advance widths for printable ASCII (the
// font the exports embed, so their layout is exact for it), an average for everything else. In a browser, whose
// sans-serif is narrower, the same numbers leave a little room to spare.

// Advance widths in thousandths of an em for U+0020 … U+007E, read from DejaVuSans.ttf and DejaVuSans-Bold.ttf.
const REGULAR = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684,
  686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550,
  635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];
const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774,
  762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593,
  716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];
const OTHER = 700;

export const ELLIPSIS = '…';

/** Width in pixels of `text` at `size` pixels. */
export function textWidth(text: string, size: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let units = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    units += c >= 0x20 && c <= 0x7e ? table[c - 0x20]! : c === 0x2026 ? 1000 : OTHER;
  }
  return (units * size) / 1000;
}

/** The text, cut with an ellipsis where it would be wider than `max`. */
export function fitText(text: string, max: number, size: number, bold = false): string {
  if (textWidth(text, size, bold) <= max) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(chars.slice(0, mid).join('') + ELLIPSIS, size, bold) <= max) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : chars.slice(0, lo).join('').trimEnd() + ELLIPSIS;
}

/** Lines of at most `max` pixels, broken at spaces (a word longer than a line is cut); at most `maxLines`, the last one ending in an ellipsis when text is left over. */
export function wrapText(text: string, max: number, size: number, bold = false, maxLines = Infinity): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (textWidth(candidate, size, bold) <= max || !line) line = candidate;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  const fitted = lines.map((l) => fitText(l, max, size, bold));
  if (fitted.length <= maxLines) return fitted;
  const kept = fitted.slice(0, maxLines);
  const last = kept[maxLines - 1]!;
  kept[maxLines - 1] = fitText(last.endsWith(ELLIPSIS) ? last : `${last}${ELLIPSIS}`, max, size, bold);
  return kept;
}

/** Control characters (a newline in a category, a tab in an error) as spaces: a label is one line. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
