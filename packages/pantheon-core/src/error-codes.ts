/**
 * Every error code of Pantheon's packages, each with its one-line meaning. `code` on every
 * `PantheonError` is one of these keys (`PantheonErrorCode`), so an unregistered code does not
 * compile. `docs/errors.md` documents each code with the same meaning, and a test keeps the two
 * in step.
 *
 * The same mistake has the same code in every adapter and in the mock that stands in for it
 * (e.g. a malformed bus message is `INVALID_MESSAGE` on every bus); the port contract suites of
 * `@promethean-os/pantheon-test` assert these codes.
 */
export const ERROR_CODES = {
  // Runtime, orchestrator and actions
  ABORTED:
    "the tick's or call's `signal` aborted a wait, a tool call or a context compile (a model call aborts with `LLM_ABORTED`)",
  ACTION_FAILED:
    'a `message` (bus) or `wait` action failed for a reason that was not a Pantheon error; `details.actionType`',
  SYSTEM_SHUT_DOWN: 'the `PantheonSystem` was shut down: new sends reject, pending `ask`s reject',
  ASK_FAILED:
    'the request behind an `ask` ended without an answer: a tick of its chain failed without passing it on, it was dead-lettered, or supervision stopped the actor holding it; the `cause` says why',
  HANDOFF_TARGET_NOT_FOUND:
    'a behavior hands conversations to an actor that does not exist (checked by `createActor`)',
  HOP_LIMIT:
    'a message chain went past `maxHops` actor-to-actor hops and was dead-lettered (the `cause` of an `ask` it ended)',
  BUDGET_EXCEEDED:
    'a conversation reached a limit of its budget (`details.limit`, `max`, `spent`): its model and tool calls are refused, its messages dead-lettered, its `ask`s reject; other conversations go on',
  TICK_TIMEOUT:
    "a tick ran past the runtime's `tickTimeoutMs`: its signal was aborted, its slot freed, and it counts as a failure for supervision; its message is retried after the backoff",
  TICK_INTERRUPTED:
    '`stopActor` or `shutdown` aborted a tick still running at its deadline; its message stays in the mailbox (with a store, in the store) and is handled again on the next start',

  // Human approval of tool calls
  APPROVAL_NOT_FOUND:
    '`approve` or `deny` of an id that no pending approval has (never requested, or from another store); nothing ran',
  APPROVAL_ALREADY_DECIDED:
    '`approve` or `deny` of an approval decided before (`details.status`); the tool does not run again',
  APPROVAL_EXPIRED:
    '`approve` or `deny` of an approval its timeout (`approvals.timeoutMs`) denied; also the tool error the model sees for it',
  APPROVAL_DENIED:
    'the tool error the model sees for a call a person denied (`deny`); its message carries the reason',
  APPROVAL_NOT_OWNED:
    "`approve` or `deny` in a process where the approval's actor is not started (it runs elsewhere, or is stopped), or in a cluster where no process runs it now (no owner of its partition answered within `publishTimeoutMs`); nothing was decided",
  APPROVAL_UNSUPPORTED:
    'a plan held a tool call back for approval (`awaitApproval`) but its behavior has no `resume` method, or the behavior to resume is no longer in the script of the actor; the call did not run',

  // Actors and their state
  ACTOR_ERROR: 'generic actor failure',
  ACTOR_NOT_FOUND:
    'the state port does not know `actorId` (update of an unknown actor, tick of a removed actor)',
  ACTOR_EXISTS: '`spawn` with an `id` that is taken',
  MAILBOX_FULL:
    "the actor's mailbox holds `mailboxCapacity` messages; the message was not enqueued",
  MESSAGE_TOO_LARGE:
    'the content exceeds `maxMessageBytes` (UTF-8); `details.bytes`, `details.max`; nothing was enqueued',
  ASK_TIMEOUT: '`ask` got no reply within `timeoutMs`',
  STATE_UNAVAILABLE:
    'the actor state port failed (e.g. database down); the tick rejected and is retried with backoff (supervision does not count it)',
  SPAWN_FAILED: "a `spawn` action's state port call failed",
  VERSION_CONFLICT:
    "persistence: `update(id, patch, { expectedVersion })` or a tick's commit found the actor changed by another writer; nothing written",

  // Scripts
  SCRIPT_INVALID:
    'a script given to `spawn`, `createActor` or `ScriptRegistry.register` is invalid; `details.issues` names the fields (e.g. `script.talents[0].behaviors[0].mode`)',
  SCRIPT_NOT_FOUND:
    "persistence: a stored or spawned actor's script (`details.scriptName`, `scriptVersion`) is not in the `ScriptRegistry`",

  // Behaviors
  BEHAVIOR_ERROR:
    "a behavior's `plan` threw something that was not a Pantheon error; the original is `cause`",
  INVALID_ACTION:
    "a plan is not `{ actions: Action[] }` or an action is malformed or of an unknown type; `details.issues` names each field (e.g. `actions[1].content`). None of that plan's actions ran",
  LIMIT_EXCEEDED:
    "a plan would exceed `maxActionsPerTick`, `maxSpawnsPerTick`, `maxSpawnDepth` or `maxWaitMs` (`details.limit`, `value`, `max`). None of that plan's actions ran",
  MAX_STEPS_EXCEEDED:
    'an `llmBehavior` made `maxSteps` model calls without a final text answer; `details.transcript` holds the conversation so far',

  // Message bus and mailboxes
  INVALID_MESSAGE:
    'a bus message is malformed: `send` on any bus (`details.issues` names the fields), `sendMessage` content that is not a string, or a durable mailbox message without an `id`. Nothing was sent or stored',
  BUS_CLOSED: '`send` on a `BatchingMessageBus` or `NatsMessageBus` after `close()`',
  PARTITION_LOST:
    'cluster: the process no longer owns the partition of the actor (its lease expired and another process took it, with a newer epoch); the tick was not committed and the new owner replays it',
  BUS_UNAVAILABLE:
    'a networked message bus (NATS) could not store the message within its publish timeout; it may be stored or not, and sending it again with the same id is safe',
  STORE_UNAVAILABLE:
    "persistence: the mailbox store's database failed; the message stays unacknowledged and the tick is retried with backoff (supervision does not count it)",
  STORE_PORTS_MISMATCH:
    "`PantheonSystem` got a `store` with an `actorStateAdapter` or `contextAdapter` that is not the store's own (`details.ports`): their writes would bypass the tick's transaction",
  TICK_ENDED:
    "a `MailboxStore`'s tick transaction was committed, or written to through its views, after its `commit` or `abort`; nothing was written",

  // Tools
  TOOL_NOT_FOUND:
    'no tool of that name is registered; `details.available` lists the registered ones',
  TOOL_INVALID_ARGS:
    "the arguments break the tool's JSON Schema or zod schema; `details.issues` lists every violation. The tool did not run",
  TOOL_TIMEOUT:
    "the tool did not finish within the action's `timeout`, the invoke `timeoutMs` or the tool's own `timeout`; its `signal` was aborted",
  TOOL_FAILED: 'the tool threw; the original error is `cause`',
  TOOL_INVALID_SPEC:
    '`register` got something without name, description, parameters and `execute`, or a schema that does not compile',
  TOOL_DUPLICATE: '`register` of a name that is already registered; the first tool stays',
  TOOL_DENIED:
    "`SecureToolAdapter` refused the call: the tool is not on its allow-list (`details.reason: 'not-allowed'`) or `approve` did not return `true` or threw (`'not-approved'`, the throw as `cause`), or the tool is in `requireApproval` and the call carries no approval from `PantheonSystem.approve` (`'needs-approval'`); also a `tool` action of a tool whose `needsApproval` asks for one, since an action cannot wait for a decision (`'needs-approval'`). The tool did not run",

  // MCP (pantheon-mcp)
  MCP_CONNECTION_FAILED:
    'an MCP server could not be reached: its command did not start or exited during the handshake, its URL failed or refused (`details.status`), or the handshake failed; `details.stderr` holds the end of its error output',
  MCP_CONNECTION_LOST:
    "the MCP server's connection ended during a call (its process exited, or its HTTP server stopped answering); whether the tool ran is unknown. The next call reconnects",
  MCP_CONNECTION_CLOSED: 'a call on an MCP connection after its `close()`',

  // Models
  LLM_ERROR: 'generic model failure; `status`, `retryable`, `provider` are set when known',
  LLM_AUTH: 'the API key is missing, wrong or lacks permission (401/403); not retried',
  LLM_RATE_LIMIT: 'the provider throttled the request (429); the SDK already retried it',
  LLM_BAD_REQUEST:
    'the provider rejected the request (400, 404, 422, other 4xx), or the messages are malformed or cannot be expressed in its format; not retried',
  LLM_TIMEOUT:
    'the model did not answer in time; from `ResilientLlmAdapter`, an attempt exceeded `timeoutMs` (retryable)',
  LLM_CONNECTION: 'the provider could not be reached',
  LLM_SERVER: 'the provider failed (5xx, or an error event inside a stream)',
  LLM_INVALID_RESPONSE:
    'the reply could not be understood: not JSON, the wrong shape, tool arguments that are not a JSON object',
  LLM_OUTPUT_INVALID:
    'the reply to a call with `output` is not JSON or does not match its schema; `details.issues` lists why, `details.content` is the reply text',
  LLM_ABORTED:
    "the caller's `signal` cancelled the model call (also while `ResilientLlmAdapter` waited to retry)",
  LLM_CIRCUIT_OPEN:
    "`ResilientLlmAdapter`'s circuit breaker is open after consecutive retryable failures; the model was not called (`retryable: false`)",
  LLM_BULKHEAD_FULL:
    "`ResilientLlmAdapter`'s concurrency limit and its queue are full (`retryable: true`)",
  LLM_UNSUPPORTED_CONTENT:
    "the model answered with content a Pantheon message cannot hold (a generated file, a provider-executed tool call); `details.parts` names it. From `AiSdkLlmAdapter` with `unsupportedContent: 'reject'`",
  LLM_CASSETTE_MISS:
    '`ReplayLlmAdapter` (pantheon-test) has no recorded reply for this request; the message names its last user message and model',

  // Context
  CONTEXT_ERROR: "generic context failure, e.g. a `context` action's store call failed",
  CONTEXT_UNAVAILABLE:
    'the context port failed while compiling or recording history; the tick rejected and is retried with backoff (supervision does not count it)',
  CONTEXT_STORE_UNSUPPORTED:
    'a `context` action ran against an adapter without `read`/`write`/`delete`',
  CONTEXT_INVALID_REQUEST:
    '`compile` got a malformed request: no `sources` array, or (mock) a malformed source, `texts` or limit; `details.issues` or `details.field` names it',
  CONTEXT_INVALID_MESSAGE:
    '`append` got a malformed message; `details.issues` names the fields. Nothing was stored',
  CONTEXT_INVALID_RESPONSE: '`MockContextAdapter` was given a malformed response',
  CONTEXT_SOURCE_UNSUPPORTED:
    'the adapter cannot load that source: an unknown kind (`details.path`, `details.sourceType`) or a `url` whose protocol is not http/https',
  CONTEXT_SOURCE_FAILED:
    'a `url` or `file` source could not be loaded: HTTP error status (`details.status`), network or file-system error (`cause`), invalid URL',
  CONTEXT_SOURCE_TOO_LARGE:
    'a `url` response or `file` is larger than `maxSourceBytes` (`details.maxBytes`, `details.size`); nothing of it was used',
  CONTEXT_SOURCE_TIMEOUT:
    'a `url` source did not load within `fetchTimeoutMs`; the request was aborted',
  CONTEXT_SOURCE_DENIED:
    'a `url` source off the public internet or refused by `allowUrl`, or a `file` source without `fileRoot` or outside it',
  CONTEXT_INVALID_DOCUMENT:
    'a stored document is malformed (`details.path`, e.g. `[3].content`): `addDocuments`/`indexDocuments` stored none of the batch; a `documents/<id>` write without `content`; an Elasticsearch hit without string `content`',
  CONTEXT_SEARCH_FAILED:
    'the Elasticsearch search of a named source failed (`details.status`, `details.sourceId`; the client error is `cause`)',
  CONTEXT_INDEX_FAILED:
    'creating the Elasticsearch index or (bulk) indexing failed; `details.failed` lists the documents Elasticsearch refused (the others were indexed)',

  // Configuration and arguments
  CONFIG_ERROR:
    'invalid or missing configuration, detected where it is given: adapter or system options, an environment variable, a missing client',
  INVALID_ARGUMENT:
    'a call got an argument of the wrong kind: a handler or job that is not a function, an invalid delay, a value the context store cannot copy, a malformed option or queued reply of a pantheon-test mock; the message names the call',
  CONFIG_INVALID:
    'a Pantheon configuration (`loadConfig`, `createPantheon`) has an invalid value, a missing field, an unknown key or a secret in a file, or a `cluster` section without PostgreSQL and NATS (or given to `createPantheon`, or missing for `createPantheonCluster`); `details.issues` names each field and its source (file, environment variable, default). Nothing of it was applied',
  CONFIG_NOT_FOUND:
    'the configuration file given to `loadConfig` or `--config` does not exist, or `pantheon start` found none (`pantheon.config.ts`, `.mts`, `.js`, `.mjs` or `.json`)',
  APP_INVALID:
    "the app module the configuration's `entry` names could not be loaded, or does not export an app (`defineApp`): `details.entry`, `details.issues`",

  // pantheon CLI and its HTTP endpoint
  CLI_USAGE:
    'the `pantheon` command line is malformed: an unknown command or option, a missing or extra argument; the usage of the command is printed',
  INSTANCE_UNREACHABLE:
    '`pantheon ask`, `actors` or `health` could not reach a running instance at its URL (`details.url`): nothing listens there, it did not answer in time, or what answers is not a Pantheon instance',
  UNAUTHORIZED:
    'the HTTP endpoint of `pantheon start` refused a request to `/actors` without the right `Authorization: Bearer` token (`PANTHEON_API_TOKEN`); nothing ran',
  INIT_TARGET_INVALID:
    '`pantheon init` cannot scaffold into its folder (`details.dir`, `details.reason`): it is not empty (without `--force`) or is a file, and nothing was written; or a file cannot be written (e.g. `ENOTDIR`)',

  // pantheon-test
  CASSETTE_NOT_FOUND: '`ReplayLlmAdapter` cannot find its cassette file',
  INVALID_CASSETTE: 'the cassette file is not a valid cassette',
  SCHEDULER_RUNAWAY:
    'the mock scheduler gave up: more than 10,000 job runs at one virtual instant, or more than `maxRuns` runs in `runAll` (jobs that keep rescheduling each other); `details.pending`',
} as const;

type CoreErrorCodes = typeof ERROR_CODES;

/**
 * The registry as a type: each code and its meaning. A package outside Pantheon adds its own
 * codes by augmenting this interface — never by passing loose strings:
 *
 * @example
 * declare module '@promethean-os/pantheon-core' {
 *   interface PantheonErrorCodes {
 *     ACME_QUOTA_EXCEEDED: 'Acme refused the call: the monthly quota is spent';
 *   }
 * }
 * throw new ToolError('Quota spent', 'acme-search', undefined, { code: 'ACME_QUOTA_EXCEEDED' });
 */
export interface PantheonErrorCodes extends CoreErrorCodes {}

/** A registered error code: a key of `ERROR_CODES`, or one a package added to `PantheonErrorCodes`. */
export type PantheonErrorCode = keyof PantheonErrorCodes & string;
