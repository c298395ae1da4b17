import type { PantheonErrorCode } from './error-codes';
import { isRetryableLlmError } from './llm-error-codes';
import { redactSecrets } from './redact-secrets';

/**
 * One marker per error class, shared by every copy of this package through the global symbol
 * registry: `isInstance` checks them rather than class identity. The base marker keeps the name
 * it was first published with.
 */
const markers = {
  pantheon: Symbol.for('@promethean-os/pantheon-core/error'),
  actor: Symbol.for('@promethean-os/pantheon-core/error/actor'),
  behavior: Symbol.for('@promethean-os/pantheon-core/error/behavior'),
  tool: Symbol.for('@promethean-os/pantheon-core/error/tool'),
  llm: Symbol.for('@promethean-os/pantheon-core/error/llm'),
  context: Symbol.for('@promethean-os/pantheon-core/error/context'),
  config: Symbol.for('@promethean-os/pantheon-core/error/config'),
} as const;

function mark(error: Error, marker: symbol): void {
  Object.defineProperty(error, marker, { value: true });
}

function isMarked(error: unknown, marker: symbol): boolean {
  return typeof error === 'object' && error !== null && marker in error;
}

/** Options every Pantheon error accepts: a more specific `code` and the underlying `cause`. */
export interface ErrorOptions {
  code?: PantheonErrorCode;
  cause?: unknown;
}

/**
 * Base class of every error Pantheon throws. Branch on `code` (stable, one of `ERROR_CODES`,
 * listed in `docs/errors.md`), never on the message. `PantheonError.isInstance` also recognises
 * errors thrown by another copy of this package; each subclass has its own `isInstance`, true
 * only for errors of that class and its subclasses.
 */
export class PantheonError extends Error {
  readonly code: PantheonErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    message: string,
    code: PantheonErrorCode,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    mark(this, markers.pantheon);
    this.name = 'PantheonError';
    this.code = code;
    this.details = details;
  }

  /** True for any Pantheon error, including ones from a duplicate install of this package. */
  static isInstance(error: unknown): error is PantheonError {
    return isMarked(error, markers.pantheon);
  }

  /** A plain object for logs and JSON. */
  toJSON(): Record<string, unknown> {
    // What is logged or stored: secrets redacted, a transcript replaced by its length.
    let details = this.details;
    if (details !== undefined && Array.isArray(details.transcript)) {
      const { transcript, ...rest } = details;
      details = { ...rest, transcriptLength: transcript.length };
    }
    return redactSecrets({ name: this.name, code: this.code, message: this.message, details });
  }
}

/** Something went wrong with a specific actor. Codes: `ACTOR_ERROR`, `ACTOR_NOT_FOUND`, … */
export class ActorError extends PantheonError {
  readonly actorId: string;

  constructor(
    message: string,
    actorId: string,
    details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options?.code ?? 'ACTOR_ERROR', { actorId, ...details }, options);
    mark(this, markers.actor);
    this.name = 'ActorError';
    this.actorId = actorId;
  }

  /** True for an actor error (this class or a subclass), also from a duplicate install of this package. */
  static override isInstance(error: unknown): error is ActorError {
    return isMarked(error, markers.actor);
  }
}

/** A behavior failed or planned something invalid. Codes: `BEHAVIOR_ERROR`, `INVALID_ACTION`, … */
export class BehaviorError extends PantheonError {
  readonly behaviorName: string;

  constructor(
    message: string,
    behaviorName: string,
    details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options?.code ?? 'BEHAVIOR_ERROR', { behaviorName, ...details }, options);
    mark(this, markers.behavior);
    this.name = 'BehaviorError';
    this.behaviorName = behaviorName;
  }

  /** True for a behavior error (this class or a subclass), also from a duplicate install of this package. */
  static override isInstance(error: unknown): error is BehaviorError {
    return isMarked(error, markers.behavior);
  }
}

/** A tool could not be found, was given bad arguments, timed out or failed. */
export class ToolError extends PantheonError {
  readonly toolName: string;

  constructor(
    message: string,
    toolName: string,
    details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options?.code ?? 'TOOL_FAILED', { toolName, ...details }, options);
    mark(this, markers.tool);
    this.name = 'ToolError';
    this.toolName = toolName;
  }

  /** True for a tool error (this class or a subclass), also from a duplicate install of this package. */
  static override isInstance(error: unknown): error is ToolError {
    return isMarked(error, markers.tool);
  }
}

/** Extra fields of an `LlmError`. */
export interface LlmErrorOptions extends ErrorOptions {
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /**
   * Whether trying the same request again may succeed. When omitted, derived from `status` if there
   * is one, else from `code` (see `isRetryableLlmError`).
   */
  retryable?: boolean;
  /** `'openai'`, `'anthropic'`, `'mock'`, … */
  provider?: string;
}

/** A model call failed. Codes: `LLM_AUTH`, `LLM_RATE_LIMIT`, `LLM_SERVER`, … */
export class LlmError extends PantheonError {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly provider: string | undefined;

  constructor(message: string, details?: Record<string, unknown>, options?: LlmErrorOptions) {
    const status = options?.status;
    const code = options?.code ?? 'LLM_ERROR';
    super(message, code, { ...details, status, provider: options?.provider }, options);
    mark(this, markers.llm);
    this.name = 'LlmError';
    this.status = status;
    this.provider = options?.provider;
    this.retryable = options?.retryable ?? isRetryableLlmError(code, status);
  }

  /** True for a model error (this class or a subclass), also from a duplicate install of this package. */
  static override isInstance(error: unknown): error is LlmError {
    return isMarked(error, markers.llm);
  }
}

/** The context port failed or was asked for something it cannot do. */
export class ContextError extends PantheonError {
  constructor(message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options?.code ?? 'CONTEXT_ERROR', details, options);
    mark(this, markers.context);
    this.name = 'ContextError';
  }

  /** True for a context error (this class or a subclass), also from a duplicate install of this package. */
  static override isInstance(error: unknown): error is ContextError {
    return isMarked(error, markers.context);
  }
}

/**
 * Invalid or missing configuration, or an invalid argument, detected where it is given. Codes:
 * `CONFIG_ERROR`, `INVALID_ARGUMENT`, `INVALID_MESSAGE`, `SCRIPT_INVALID`, …
 */
export class ConfigError extends PantheonError {
  constructor(message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options?.code ?? 'CONFIG_ERROR', details, options);
    mark(this, markers.config);
    this.name = 'ConfigError';
  }

  /** True for a configuration error (this class or a subclass), also from a duplicate install of this package. */
  static override isInstance(error: unknown): error is ConfigError {
    return isMarked(error, markers.config);
  }
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
