import { isRetryableLlmError } from './llm-error-codes';

// Kept exported from here, where it was first published.
export { isRetryableStatus } from './llm-error-codes';

const marker = Symbol.for('@promethean-os/pantheon-core/error');

/** Options every Pantheon error accepts: a more specific `code` and the underlying `cause`. */
export interface ErrorOptions {
  code?: string;
  cause?: unknown;
}

/**
 * Base class of every error Pantheon throws. Branch on `code` (stable, listed in
 * `docs/errors.md`), never on the message. `PantheonError.isInstance` also recognises errors
 * thrown by another copy of this package.
 */
export class PantheonError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    message: string,
    code: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, marker, { value: true });
    this.name = 'PantheonError';
    this.code = code;
    this.details = details;
  }

  /** True for any Pantheon error, including ones from a duplicate install of this package. */
  static isInstance(error: unknown): error is PantheonError {
    return typeof error === 'object' && error !== null && marker in error;
  }

  /** A plain object for logs and JSON. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
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
    this.name = 'ActorError';
    this.actorId = actorId;
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
    this.name = 'BehaviorError';
    this.behaviorName = behaviorName;
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
    this.name = 'ToolError';
    this.toolName = toolName;
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
    this.name = 'LlmError';
    this.status = status;
    this.provider = options?.provider;
    this.retryable = options?.retryable ?? isRetryableLlmError(code, status);
  }
}

/** The context port failed or was asked for something it cannot do. */
export class ContextError extends PantheonError {
  constructor(message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options?.code ?? 'CONTEXT_ERROR', details, options);
    this.name = 'ContextError';
  }
}

/** Invalid or missing configuration, detected where it is given. */
export class ConfigError extends PantheonError {
  constructor(message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options?.code ?? 'CONFIG_ERROR', details, options);
    this.name = 'ConfigError';
  }
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
