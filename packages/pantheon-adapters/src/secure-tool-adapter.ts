import {
  ToolError,
  type ToolInvokeOptions,
  type ToolPort,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { deepFreeze, errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { ToolPortDecorator } from './tool-port-decorator';

/** What an approval callback decides on. */
export interface ToolApprovalRequest {
  toolName: string;
  /** A frozen copy of the arguments: exactly what the tool runs with when approved. */
  args: Readonly<Record<string, unknown>>;
  /** The registered tool, when the wrapped port can list it. */
  tool: ToolSpec | undefined;
  actorId: string | undefined;
}

/** Options of `SecureToolAdapter`. */
export interface SecureToolAdapterOptions {
  /** Names of the tools that may run at all. */
  allow: Iterable<string>;
  /**
   * Asked before every allowed call; anything but `true` (or a throw) denies it. Use it for
   * human approval or argument policies.
   */
  approve?: (request: ToolApprovalRequest) => boolean | Promise<boolean>;
  /**
   * Tools whose calls need a person's approval through the runtime (`PantheonSystem.approve`):
   * `list()` shows them with `needsApproval: true`, so `llmBehavior` holds their calls back, and
   * `invoke` refuses a call that does not carry an approval (`TOOL_DENIED`,
   * `details.reason: 'needs-approval'`).
   */
  requireApproval?: Iterable<string>;
}

function denied(name: string, reason: string, details: Record<string, unknown>, cause?: unknown) {
  return new ToolError(`Tool "${name}" was denied: ${reason}`, name, details, {
    code: 'TOOL_DENIED',
    cause,
  });
}

/**
 * Runs only allow-listed tools, each call optionally approved first; tools in `requireApproval`
 * only under a person's approval given through the runtime. A denied call never reaches
 * the wrapped port and rejects with a `ToolError` whose code is `TOOL_DENIED`
 * (`details.reason`: `'not-allowed'`, `'not-approved'` or `'needs-approval'`). The approved arguments are copied and
 * frozen before `approve` sees them, so what was approved is what runs. `list()` shows only the
 * allowed tools, so models are not offered the others.
 *
 * @example
 * const tools = new SecureToolAdapter(new InMemoryToolAdapter(), {
 *   allow: ['get-weather', 'send-email'],
 *   approve: async ({ toolName, args }) => toolName !== 'send-email' || (await askHuman(args)),
 * });
 */
export class SecureToolAdapter extends ToolPortDecorator {
  private readonly allowed: ReadonlySet<string>;
  private readonly approve: SecureToolAdapterOptions['approve'];
  private readonly needApproval: ReadonlySet<string>;
  /** The listed stand-ins of tools that need approval, one per registered tool. */
  private readonly marked = new WeakMap<ToolSpec, ToolSpec>();

  constructor(inner: ToolPort, options: SecureToolAdapterOptions) {
    super(inner);
    this.allowed = new Set(options.allow);
    this.approve = options.approve;
    this.needApproval = new Set(options.requireApproval ?? []);
  }

  override list(): ToolSpec[] {
    return super
      .list()
      .filter((tool) => this.allowed.has(tool.name))
      .map((tool) => (this.needApproval.has(tool.name) ? this.markedFor(tool) : tool));
  }

  /** `tool` as the model's side sees it: the same tool, needing approval. */
  private markedFor(tool: ToolSpec): ToolSpec {
    let marked = this.marked.get(tool);
    if (!marked) {
      marked = {
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters,
        needsApproval: true,
        execute: (args, context) => tool.execute(args, context),
      };
      if (tool.timeout !== undefined) marked.timeout = tool.timeout;
      if (tool.retryPolicy !== undefined) marked.retryPolicy = tool.retryPolicy;
      this.marked.set(tool, marked);
    }
    return marked;
  }

  async invoke(
    name: string,
    args: Record<string, unknown>,
    options: ToolInvokeOptions = {},
  ): Promise<unknown> {
    if (!this.allowed.has(name))
      throw denied(name, 'not on the allow-list', { reason: 'not-allowed' });
    if (this.needApproval.has(name) && options.approval === undefined) {
      throw denied(name, 'it needs a person’s approval, and this call has none', {
        reason: 'needs-approval',
      });
    }
    if (!this.approve) return this.inner.invoke(name, args, options);

    let frozen: Record<string, unknown>;
    try {
      frozen = deepFreeze(structuredClone(args));
    } catch (error) {
      throw new ToolError(
        `Tool "${name}" got arguments that cannot be copied: ${errorMessage(error)}`,
        name,
        undefined,
        { code: 'TOOL_INVALID_ARGS', cause: error },
      );
    }
    const request: ToolApprovalRequest = {
      toolName: name,
      args: frozen,
      tool: super.list().find((tool) => tool.name === name),
      actorId: options.actorId,
    };
    let verdict: unknown;
    try {
      verdict = await this.approve(request);
    } catch (error) {
      throw denied(
        name,
        `approval failed: ${errorMessage(error)}`,
        { reason: 'not-approved' },
        error,
      );
    }
    if (verdict !== true) throw denied(name, 'not approved', { reason: 'not-approved' });
    // Tools may change their arguments in place: give them a thawed copy of what was approved.
    return this.inner.invoke(name, structuredClone(frozen), options);
  }
}
