import type { PantheonError } from './errors';
import type { BusMessage } from './ports/message-bus';
import type { BehaviorInput, ToolCall } from './types';

/**
 * A tool call a behavior holds back until a person decides on it (`BehaviorPlan.awaitApproval`).
 * The runtime records it as a pending approval and, once it is decided, calls the behavior's
 * `resume` with `state` and the decision.
 */
export interface ApprovalRequest {
  /** The call waiting for approval: run with exactly these arguments when approved. */
  toolCall: ToolCall;
  /**
   * What the behavior needs to carry on where it stopped (for `llmBehavior`, the transcript and
   * the tool calls still to run). Plain JSON: a durable system stores it with the approval.
   */
  state: unknown;
}

/** How an approval ended: approved, denied by a person, or denied because its timeout passed. */
export type ApprovalDecision = 'approved' | 'denied' | 'expired';

/** The decision on one approval, as `Behavior.resume` receives it. */
export interface ApprovalOutcome {
  approvalId: string;
  toolCall: ToolCall;
  decision: ApprovalDecision;
  /** Who decided (`approve`'s or `deny`'s `by`; `'system'` for an expired approval). */
  by?: string;
  /** `approve`'s note. */
  note?: string;
  /** `deny`'s reason, or why it expired. */
  reason?: string;
  /** When it was decided, in milliseconds since the epoch (from the system's clock). */
  decidedAt: number;
}

/** What `Behavior.resume` receives: the tick's input, the behavior's stored state and the decision. */
export interface ResumeInput extends BehaviorInput {
  /** The decision on the call the behavior held back. */
  approval: ApprovalOutcome;
  /** The `state` of the behavior's `ApprovalRequest`, as stored. */
  state: unknown;
}

/** An approval waiting for a decision, as `getPendingApprovals` and `approval.requested` show it. */
export interface PendingApproval {
  id: string;
  /** The actor whose tick called the tool. */
  actorId: string;
  /** The tool's name. */
  tool: string;
  /** The arguments the tool runs with when approved. */
  args: Record<string, unknown>;
  /** The model's id of the call. */
  toolCallId: string;
  /** Who asked: the sender of the message being handled (`'user'` or an actor id). */
  requestedBy: string;
  /** When, in milliseconds since the epoch. */
  requestedAt: number;
  /** When it is denied automatically (`approvals.timeoutMs`); absent without a timeout. */
  expiresAt?: number;
  /** The conversation the call belongs to. */
  conversationId?: string;
  /** The request (`ask` / `stream`) the call belongs to. */
  correlationId?: string;
  /** The message whose tick asked. */
  messageId?: string;
}

/**
 * An approval as a `MailboxStore` keeps it: what `PendingApproval` shows, what the actor needs to
 * resume (`behavior`, `state`, the addresses of the conversation) and how it was decided.
 */
export interface ApprovalRecord extends PendingApproval {
  /** The behavior that resumes. */
  behavior: string;
  /** `ApprovalRequest.state`. */
  state: unknown;
  /** Where the conversation's answers go. */
  replyTo?: string;
  /** Metadata of the messages the resuming tick sends (hop count, causation). */
  metadata?: Record<string, unknown>;
  /** `'pending'` until `approve`, `deny` or the timeout decides it. */
  status: 'pending' | ApprovalDecision;
  /** Set with the decision. */
  decision?: { by?: string; note?: string; reason?: string; at: number };
  /** True once the actor's tick that resumed from it committed. */
  settled: boolean;
}

/** Options of `PantheonSystem.approve`. */
export interface ApproveOptions {
  /** Who approved (a user id, an operator's name); recorded and passed to the tool's context. */
  by: string;
  note?: string;
}

/** Options of `PantheonSystem.deny`. */
export interface DenyOptions {
  /** Shown to the model in the tool error, so it can explain or try another way. */
  reason: string;
  by?: string;
}

/** Settings of human approval of tool calls (`PantheonSystemOptions.approvals`). */
export interface ApprovalOptions {
  /** Denies a pending approval automatically after this many milliseconds (on the scheduler). */
  timeoutMs?: number;
}

/**
 * What a behavior reports while it works, for a caller that streams the reply
 * (`BehaviorInput.emit`).
 */
export type BehaviorEvent =
  /** A piece of the model's answer text. */
  | { type: 'text-delta'; delta: string }
  /** A piece of the model's reasoning (thinking), where the provider streams it. */
  | { type: 'reasoning-delta'; delta: string }
  /** The model called a tool. */
  | { type: 'tool-call'; toolCall: ToolCall }
  /** What a tool call came back with (a failed call as `Error (CODE): message`, `isError`). */
  | { type: 'tool-result'; toolCallId: string; name: string; content: string; isError: boolean };

/** One event of `PantheonSystem.stream`, in the order it happened. */
export type ReplyStreamEvent =
  | (BehaviorEvent & { actorId: string })
  /** A tool call waits for a person; the stream stays open until the conversation answers. */
  | { type: 'approval-requested'; actorId: string; approval: PendingApproval }
  /** The answer to the request: the last event of a stream that succeeded. */
  | { type: 'message'; actorId: string; message: BusMessage }
  /** Why the request ended without an answer: the last event of a stream that failed. */
  | { type: 'error'; actorId: string; error: PantheonError };
