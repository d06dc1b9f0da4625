import { z } from 'zod';
import { ConfigError, type Config } from './config.js';
import { buildCatalog, toolName, type OPERATIONS } from './operations/index.js';
import { confirmClass, policyAsks, TOOLSETS, type Access, type ConfirmPolicy, type Operation } from './operations/types.js';

export type OperationId = (typeof OPERATIONS)[number]['id'];
/** Every operation of a catalog by id: `ops.getExecution`, checked at compile time. */
export type Ops = Readonly<Record<OperationId, Operation>>;

type InventoryConfig = Pick<Config, 'routeOverrides' | 'maxWaitSeconds' | 'toolsets' | 'tools' | 'readOnly'> & { confirm?: ConfirmPolicy };
const ALL_ACCESS: readonly Access[] = ['read', 'run', 'write'];

/**
 * The catalog for one configuration, built once at start-up and read by everything (tools, discovery,
 * resources, prompts, apps): every operation with its routes and wait ceiling applied, by id, and the ones
 * this server exposes. What is exposed is decided here and nowhere else.
 */
export class Inventory {
  /** How many inventories this process built: one per configuration, never one per request. */
  static built = 0;

  readonly all: readonly Operation[];
  readonly selected: readonly Operation[];
  readonly ops: Ops;
  /** CLUVIO_CONFIRM. */
  readonly confirmPolicy: ConfirmPolicy;
  private readonly exposedIds: ReadonlySet<string>;
  private readonly inputs = new Map<string, z.ZodObject>();
  /** The inventories restricted to an OAuth token's access classes, by class set: at most one per set. */
  private readonly restricted = new Map<string, Inventory>();

  /** `within`: the catalog to share and the access classes to keep (forAccess); none: build the catalog, keep every class. */
  constructor(
    private readonly config: InventoryConfig,
    within?: { catalog: readonly Operation[]; access: ReadonlySet<Access> },
  ) {
    Inventory.built++;
    this.all = within?.catalog ?? buildCatalog(config.routeOverrides, { maxWaitSeconds: config.maxWaitSeconds });
    this.ops = Object.freeze(Object.fromEntries(this.all.map((op) => [op.id, op]))) as Ops;
    this.selected = select(this.all, config).filter((op) => !within || within.access.has(op.access));
    this.exposedIds = new Set(this.selected.map((op) => op.id));
    this.confirmPolicy = config.confirm ?? 'off';
    for (const op of this.all) {
      if (!this.asks(op)) continue;
      if ('confirm' in op.input.shape) throw new Error(`${op.id} has an argument named confirm, which confirmation takes`);
      this.inputs.set(op.id, op.input.extend({ confirm: CONFIRM_ARGUMENT }));
    }
  }

  /**
   * This inventory with only the operations of the given access classes (an OAuth token's scopes): the same catalog,
   * built once per class set and kept, so a request never builds one.
   */
  forAccess(access: ReadonlySet<Access>): Inventory {
    if (ALL_ACCESS.every((a) => access.has(a))) return this;
    const key = ALL_ACCESS.filter((a) => access.has(a)).join(',');
    let inv = this.restricted.get(key);
    if (!inv) {
      inv = new Inventory(this.config, { catalog: this.all, access: new Set(access) });
      this.restricted.set(key, inv);
    }
    return inv;
  }

  /** Whether this server exposes the operation (as a tool, or through call_operation). */
  exposes(op: Operation): boolean {
    return this.exposedIds.has(op.id);
  }

  /** Whether a person confirms this operation before it runs (CLUVIO_CONFIRM and the operation's class). */
  asks(op: Operation): boolean {
    return policyAsks(this.confirmPolicy, confirmClass(op));
  }

  /** The tool's input schema: the operation's, plus `confirm` (the token of a preview) where a person confirms. */
  input(op: Operation): z.ZodObject {
    return this.inputs.get(op.id) ?? op.input;
  }
}

/** The token a preview hands out; documented once, in the server instructions, not in every tool. */
export const CONFIRM_ARGUMENT = z.string().optional();

/**
 * Which operations this server exposes. Read-only mode wins over every other setting: a `write` operation is
 * never selected, even when named with --tools.
 */
function select(catalog: readonly Operation[], config: Pick<Config, 'toolsets' | 'tools' | 'readOnly'>): Operation[] {
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
    (op) => (everything || (config.toolsets as string[]).includes(op.toolset) || config.tools.includes(toolName(op))) && !(config.readOnly && op.access === 'write'),
  );
}
