import { ConfigError, type Config } from '../config.js';
import { toolName } from '../operations/index.js';
import { TOOLSETS, type Operation } from '../operations/types.js';

/**
 * Which operations this server exposes — decided here and nowhere else. Read-only mode wins over
 * every other setting: a `write` operation is never selected, even when named with --tools.
 */
export function selectOperations(catalog: readonly Operation[], config: Pick<Config, 'toolsets' | 'tools' | 'readOnly'>): Operation[] {
  const unknownSets = config.toolsets.filter((t) => !(TOOLSETS as readonly string[]).includes(t));
  if (unknownSets.length) {
    throw new ConfigError(`Unknown toolset${unknownSets.length > 1 ? 's' : ''} ${unknownSets.join(', ')} in CLUVIO_TOOLSETS (--toolsets). Accepted: ${TOOLSETS.join(', ')}.`);
  }
  const names = new Set(catalog.map(toolName));
  const unknownTools = config.tools.filter((t) => !names.has(t));
  if (unknownTools.length) {
    throw new ConfigError(`Unknown tool${unknownTools.length > 1 ? 's' : ''} ${unknownTools.join(', ')} in CLUVIO_TOOLS (--tools). Accepted: ${[...names].join(', ')}.`);
  }
  const everything = config.toolsets.length === 0 && config.tools.length === 0;
  return catalog.filter(
    (op) =>
      (everything || config.toolsets.includes(op.toolset) || config.tools.includes(toolName(op))) && !(config.readOnly && op.access === 'write'),
  );
}
