/**
 * What every tool handler returns: text for the model, and the structured result the tools that declare an output
 * schema send as structuredContent (ignored otherwise, and on errors).
 */
export interface ToolOutput {
  text: string;
  structured?: Record<string, unknown>;
  isError?: boolean;
  /** Content after the text: an image a multimodal model can look at. */
  extra?: ExtraContent[];
}

export type ExtraContent = { type: 'image'; data: string; mimeType: string };

/** Compact JSON for the model: no indentation, undefined dropped. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
