import { z } from 'zod';
import { isJsonObject } from './tool-call-arguments';
import { withFastPath } from './validation';

const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';
const isName = (value: unknown) => typeof value === 'string' && value.length > 0;
const isOptionalName = (value: unknown) => value === undefined || isName(value);
const isOptionalRecord = (value: unknown) => value === undefined || isJsonObject(value);

// A plain object with any values. Checked by shape rather than with z.record, which visits
// every entry: metadata and arguments are free-form, and this runs on every message.
const record = z.custom<Record<string, unknown>>(isJsonObject, { message: 'expected an object' });
const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
    message: `expected ${what} to be a function`,
  });

export const RoleSchema = z.enum(['system', 'user', 'assistant', 'tool']);

export const ToolCallSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  args: record,
});

const roles: ReadonlySet<unknown> = new Set(RoleSchema.options);

export const MessageSchema = withFastPath(
  z.object({
    role: RoleSchema,
    content: z.string(),
    name: z.string().optional(),
    images: z.array(z.string()).optional(),
    toolCalls: z.array(ToolCallSchema).optional(),
    toolCallId: z.string().optional(),
    metadata: record.optional(),
  }),
  // Text messages, the ones every tick records; images and tool calls take the parse.
  (value) =>
    isJsonObject(value) &&
    roles.has(value.role) &&
    typeof value.content === 'string' &&
    isOptionalString(value.name) &&
    value.images === undefined &&
    value.toolCalls === undefined &&
    isOptionalString(value.toolCallId) &&
    isOptionalRecord(value.metadata),
);

export const ContextSourceSchema = z.union([
  z.object({ type: z.literal('text'), content: z.string(), metadata: record.optional() }),
  z.object({ type: z.literal('url'), url: z.string().min(1), metadata: record.optional() }),
  z.object({ type: z.literal('file'), path: z.string().min(1), metadata: record.optional() }),
  z.object({
    type: z.undefined().optional(),
    id: z.string().min(1),
    label: z.string().optional(),
    where: record.optional(),
    metadata: record.optional(),
  }),
]);

export const BehaviorSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  mode: z.enum(['active', 'passive', 'persistent']),
  priority: z.number().finite().optional(),
  plan: fn('plan'),
});

export const TalentSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  version: z.string().optional(),
  behaviors: z.array(BehaviorSchema),
});

export const ActorScriptSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  roleName: z.string().optional(),
  version: z.string().optional(),
  talents: z.array(TalentSchema),
  contextSources: z.array(ContextSourceSchema),
  config: record.optional(),
  memory: z.enum(['conversation', 'actor']).optional(),
});

export const ActorStateSchema = z.enum([
  'idle',
  'running',
  'paused',
  'completed',
  'failed',
  'stopped',
]);

export const ActorSchema = z.object({
  id: z.string().min(1),
  script: ActorScriptSchema,
  goals: z.array(z.string()),
  name: z.string().optional(),
  state: ActorStateSchema.optional(),
  createdAt: z.number().optional(),
  updatedAt: z.number().optional(),
  metadata: record.optional(),
});

export const MessagePrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
const priorities: ReadonlySet<unknown> = new Set(MessagePrioritySchema.options);
const isOptionalPriority = (value: unknown) => value === undefined || priorities.has(value);

export const MessageActionSchema = z.object({
  type: z.literal('message'),
  content: z.string(),
  target: z.string().min(1).optional(),
  priority: MessagePrioritySchema.optional(),
  metadata: record.optional(),
});

export const ToolActionSchema = z.object({
  type: z.literal('tool'),
  name: z.string().min(1),
  args: record,
  timeout: z.number().positive().finite().optional(),
});

export const SpawnActionSchema = z.object({
  type: z.literal('spawn'),
  actor: ActorScriptSchema,
  goal: z.string(),
  config: record.optional(),
});

export const WaitActionSchema = z.object({
  type: z.literal('wait'),
  duration: z.number().nonnegative().finite(),
  reason: z.string().optional(),
});

export const ContextActionSchema = z.object({
  type: z.literal('context'),
  operation: z.enum(['read', 'write', 'delete']),
  target: z.string().min(1),
  data: z.unknown().optional(),
});

export const HandoffActionSchema = z.object({
  type: z.literal('handoff'),
  target: z.string().min(1),
  reason: z.string().optional(),
});

export const ActionSchema = withFastPath(
  z.discriminatedUnion('type', [
    MessageActionSchema,
    ToolActionSchema,
    SpawnActionSchema,
    WaitActionSchema,
    ContextActionSchema,
    HandoffActionSchema,
  ]),
  // Messages and tool calls without a timeout, the actions of nearly every plan.
  (value) =>
    isJsonObject(value) &&
    (value.type === 'message'
      ? typeof value.content === 'string' &&
        isOptionalName(value.target) &&
        isOptionalPriority(value.priority) &&
        isOptionalRecord(value.metadata)
      : value.type === 'tool' &&
        isName(value.name) &&
        isJsonObject(value.args) &&
        value.timeout === undefined),
);

export const BusMessageSchema = withFastPath(
  z.object({
    from: z.string().min(1),
    to: z.string().min(1),
    content: z.string(),
    id: z.string().min(1).optional(),
    timestamp: z.number().optional(),
    priority: MessagePrioritySchema.optional(),
    correlationId: z.string().optional(),
    conversationId: z.string().min(1).optional(),
    replyTo: z.string().min(1).optional(),
    metadata: record.optional(),
  }),
  (value) =>
    isJsonObject(value) &&
    isName(value.from) &&
    isName(value.to) &&
    typeof value.content === 'string' &&
    isOptionalName(value.id) &&
    (value.timestamp === undefined || Number.isFinite(value.timestamp)) &&
    isOptionalPriority(value.priority) &&
    isOptionalString(value.correlationId) &&
    isOptionalName(value.conversationId) &&
    isOptionalName(value.replyTo) &&
    isOptionalRecord(value.metadata),
);
