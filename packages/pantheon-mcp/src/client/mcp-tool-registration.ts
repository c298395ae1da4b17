import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { type LogFunction, ToolError, type ToolPort } from '@promethean-os/pantheon-core';
import type { McpToolSpec } from './mcp-tool-spec';

/** Tool names as the server spells them (without the prefix), or a test on each tool. */
export type McpToolSelector = readonly string[] | ((tool: Tool) => boolean);

/** Which of a server's tools to register, and under which names. */
export interface McpToolFilter {
  /** Put before every tool name, e.g. `'fs_'` → `fs_read_text_file`; keeps servers apart in one port. */
  prefix?: string;
  /** Only these tools. A name the server does not offer is a `TOOL_NOT_FOUND` at registration. */
  include?: McpToolSelector;
  /** Not these tools. A name the server does not offer is a `TOOL_NOT_FOUND` at registration. */
  exclude?: McpToolSelector;
}

/** How the registered set changed after the server's tool list changed (registered names). */
export interface McpToolChange {
  added: string[];
  removed: string[];
  updated: string[];
}

/** Options of `McpConnection.registerTools`. */
export interface McpToolRegistrationOptions extends McpToolFilter {
  /** Called after a `tools/list_changed` from the server changed what is registered. */
  onChange?: (change: McpToolChange) => void;
}

function selects(selector: McpToolSelector | undefined, tool: Tool): boolean | undefined {
  if (selector === undefined) return undefined;
  return typeof selector === 'function' ? selector(tool) : selector.includes(tool.name);
}

/** True when the filter lets the tool through. */
export function isSelected(filter: McpToolFilter, tool: Tool): boolean {
  return selects(filter.include, tool) !== false && selects(filter.exclude, tool) !== true;
}

/** Rejects include/exclude names the server does not offer: a typo must not widen or empty the set. */
export function checkToolNames(
  filter: McpToolFilter,
  tools: readonly Tool[],
  server: string,
): void {
  const available = tools.map((tool) => tool.name);
  for (const field of ['include', 'exclude'] as const) {
    const selector = filter[field];
    if (selector === undefined || typeof selector === 'function') continue;
    const unknown = selector.filter((name) => !available.includes(name));
    if (unknown.length > 0) {
      throw new ToolError(
        `MCP server "${server}" offers no tool ${unknown.map((name) => `"${name}"`).join(', ')} (named in \`${field}\`)`,
        unknown[0]!,
        { server, [field]: unknown, available },
        { code: 'TOOL_NOT_FOUND' },
      );
    }
  }
}

/** What a model is shown of a tool: when it changes, the registered spec is replaced. */
function signature(tool: Tool): string {
  return JSON.stringify([tool.title, tool.description, tool.inputSchema, tool.annotations]);
}

interface Registered {
  tool: Tool;
  spec: McpToolSpec;
}

/**
 * The tools of one MCP server registered into one `ToolPort`, kept in step with the server's
 * list: tools it adds are registered, tools it drops are unregistered, changed tools are
 * replaced. Returned by `McpConnection.registerTools`.
 */
export class McpToolRegistration {
  private readonly registered = new Map<string, Registered>();
  private detached = false;

  /** @internal Created by `McpConnection.registerTools`. */
  constructor(
    private readonly port: ToolPort,
    private readonly options: McpToolRegistrationOptions,
    private readonly build: (tool: Tool, name: string) => McpToolSpec,
    private readonly log: LogFunction,
    private readonly server: string,
    private readonly detach: (registration: McpToolRegistration) => void,
  ) {}

  /** The registered tool names, as the port knows them (with the prefix). */
  get names(): string[] {
    return [...this.registered.values()].map(({ spec }) => spec.name);
  }

  /** The registered tools. */
  get tools(): McpToolSpec[] {
    return [...this.registered.values()].map(({ spec }) => spec);
  }

  /** @internal Registers the selected tools, all or none: on a failure the others are removed again. */
  registerAll(tools: readonly Tool[]): void {
    checkToolNames(this.options, tools, this.server);
    try {
      for (const tool of tools) if (isSelected(this.options, tool)) this.add(tool);
    } catch (error) {
      for (const { spec } of this.registered.values()) this.port.unregister?.(spec.name);
      this.registered.clear();
      throw error;
    }
  }

  /** @internal Brings the port in step with the server's current list. */
  sync(tools: readonly Tool[]): McpToolChange {
    const change: McpToolChange = { added: [], removed: [], updated: [] };
    if (this.detached) return change;
    const current = new Map(
      tools.filter((tool) => isSelected(this.options, tool)).map((tool) => [tool.name, tool]),
    );
    for (const [name, entry] of this.registered) {
      const tool = current.get(name);
      if (!tool) {
        if (this.remove(entry)) change.removed.push(entry.spec.name);
      } else if (signature(tool) !== signature(entry.tool) && this.remove(entry)) {
        if (this.tryAdd(tool)) change.updated.push(entry.spec.name);
        else change.removed.push(entry.spec.name);
      }
    }
    for (const [name, tool] of current) {
      if (!this.registered.has(name) && this.tryAdd(tool)) {
        change.added.push(this.registered.get(name)!.spec.name);
      }
    }
    const changed = change.added.length + change.removed.length + change.updated.length > 0;
    if (changed) {
      try {
        this.options.onChange?.(change);
      } catch (error) {
        this.log('An onChange callback of an MCP tool registration threw', {
          level: 'error',
          server: this.server,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return change;
  }

  /** Removes the tools from the port and stops following the server's list. */
  unregister(): void {
    if (this.detached) return;
    this.detached = true;
    for (const entry of this.registered.values()) this.port.unregister?.(entry.spec.name);
    this.registered.clear();
    this.detach(this);
  }

  private add(tool: Tool): void {
    const spec = this.build(tool, `${this.options.prefix ?? ''}${tool.name}`);
    this.port.register(spec);
    this.registered.set(tool.name, { tool, spec });
  }

  /** Adds a tool the server listed later; a port that refuses it is logged, not fatal. */
  private tryAdd(tool: Tool): boolean {
    try {
      this.add(tool);
      return true;
    } catch (error) {
      this.log('Could not register a tool the MCP server added', {
        level: 'error',
        server: this.server,
        tool: tool.name,
        code: (error as { code?: unknown }).code,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }

  /**
   * Unregisters a tool. A port without `unregister` keeps it: the spec stays, and calls to a
   * tool the server no longer lists fail with `TOOL_NOT_FOUND`.
   */
  private remove(entry: Registered): boolean {
    if (!this.port.unregister) {
      this.log(
        'The tool port cannot unregister, so a tool the MCP server changed or dropped stays',
        {
          level: 'warn',
          server: this.server,
          tool: entry.spec.name,
        },
      );
      return false;
    }
    this.port.unregister(entry.spec.name);
    this.registered.delete(entry.tool.name);
    return true;
  }
}
