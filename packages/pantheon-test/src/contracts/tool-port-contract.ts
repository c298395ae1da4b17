import {
  PantheonError,
  ToolError,
  type ToolExecutionContext,
  type ToolPort,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import {
  type ContractOptions,
  detectFeatures,
  expectPantheonError,
  failureOf,
  featureTitle,
  type PortFactory,
  usePort,
} from './support';

/** Optional `ToolPort` methods the suite tests when the adapter has them. */
export interface ToolPortFeatures {
  list: boolean;
  unregister: boolean;
}

/** Options of `describeToolPortContract`. */
export interface ToolPortContractOptions<P extends ToolPort> extends ContractOptions<P> {
  /** Overrides the detected features. */
  features?: Partial<ToolPortFeatures>;
}

/** Which optional `ToolPort` methods `port` has. */
export function detectToolPortFeatures(port: ToolPort): ToolPortFeatures {
  return {
    list: typeof port.list === 'function',
    unregister: typeof port.unregister === 'function',
  };
}

function tool(name: string, execute: ToolSpec['execute'], extra: Partial<ToolSpec> = {}): ToolSpec {
  return {
    name,
    description: `The ${name} tool`,
    parameters: { type: 'object', properties: {}, required: [] },
    execute,
    ...extra,
  };
}

/**
 * Registers the `ToolPort` contract for an adapter: `invoke` runs the registered tool with the
 * arguments and returns its (sync or async) result, passes `actorId` and a signal that follows
 * the caller's. Each mistake is a `ToolError` with the code every adapter uses for it: an
 * unknown name is `TOOL_NOT_FOUND` (naming the tool, `details.available` listing the
 * registered ones), arguments that break the tool's `required` are `TOOL_INVALID_ARGS` (the tool
 * does not run), a failing tool is `TOOL_FAILED` with its error as `cause`, a tool outlasting
 * `timeoutMs` or its own `timeout` is `TOOL_TIMEOUT` (short real waits), a spec without
 * `execute` or `name` is `TOOL_INVALID_SPEC` and a second tool of a registered name is
 * `TOOL_DUPLICATE` (the first stays), both at `register`. A call whose signal already aborted is
 * `PantheonError` `ABORTED`, without running the tool. When the adapter has them, `list`
 * (registration order) and `unregister` are tested too.
 *
 * @example
 * describeToolPortContract('InMemoryToolAdapter', () => new InMemoryToolAdapter());
 */
export function describeToolPortContract<P extends ToolPort>(
  name: string,
  factory: PortFactory<P>,
  options: ToolPortContractOptions<P> = {},
): void {
  describe(`ToolPort contract: ${name}`, async () => {
    const features = await detectFeatures(
      factory,
      options.cleanup,
      detectToolPortFeatures,
      options.features,
    );

    describe(`features${featureTitle(features) || ' [none]'}`, () => {
      const port = usePort(factory, options.cleanup);

      it('runs a registered tool with the arguments and returns its result', async () => {
        const calls: unknown[] = [];
        port().register(
          tool('add', (args: { a: number; b: number }) => {
            calls.push(args);
            return args.a + args.b;
          }),
        );
        await expect(port().invoke('add', { a: 2, b: 3 })).resolves.toBe(5);
        expect(calls).toEqual([{ a: 2, b: 3 }]);
      });

      it('awaits an async tool', async () => {
        port().register(
          tool('slow-echo', async (args: { text: string }) => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            return { echoed: args.text };
          }),
        );
        await expect(port().invoke('slow-echo', { text: 'hi' })).resolves.toEqual({
          echoed: 'hi',
        });
      });

      it('passes the actor id and a signal that aborts with the caller', async () => {
        let seen: ToolExecutionContext | undefined;
        let started: () => void = () => {};
        const running = new Promise<void>((resolve) => {
          started = resolve;
        });
        port().register(
          tool('watch', (_args, context?: ToolExecutionContext) => {
            seen = context;
            started();
            return new Promise((resolve) => {
              context?.signal?.addEventListener('abort', () => resolve('stopped'), { once: true });
            });
          }),
        );
        const controller = new AbortController();
        const call = port()
          .invoke('watch', {}, { actorId: 'agent-1', signal: controller.signal })
          .catch((error: unknown) => error);
        await running;
        expect(seen?.actorId).toBe('agent-1');
        expect(seen?.signal).toBeInstanceOf(AbortSignal);
        expect(seen?.signal?.aborted).toBe(false);
        controller.abort();
        await call;
        expect(seen?.signal?.aborted).toBe(true);
      });

      it('rejects an unknown tool with TOOL_NOT_FOUND naming it and the registered ones', async () => {
        port().register(tool('add', () => 0));
        const error = expectPantheonError(
          await failureOf(() => port().invoke('no-such-tool', {})),
          'TOOL_NOT_FOUND',
          ToolError,
        );
        expect(error.message).toContain('no-such-tool');
        expect(error.details?.toolName).toBe('no-such-tool');
        expect(error.details?.available).toEqual(['add']);
      });

      it('rejects arguments that break the schema with TOOL_INVALID_ARGS, without running the tool', async () => {
        let runs = 0;
        port().register(
          tool(
            'add',
            () => {
              runs++;
              return 0;
            },
            {
              parameters: {
                type: 'object',
                properties: { a: { type: 'number' }, b: { type: 'number' } },
                required: ['a', 'b'],
              },
            },
          ),
        );
        for (const args of [{ a: 1 }, 'not an object' as unknown as Record<string, unknown>]) {
          const error = expectPantheonError(
            await failureOf(() => port().invoke('add', args)),
            'TOOL_INVALID_ARGS',
            ToolError,
          );
          expect(error.details?.toolName).toBe('add');
        }
        expect(runs).toBe(0);
      });

      it('rejects a failing tool with TOOL_FAILED, its error as `cause`', async () => {
        const failure = new Error('database down');
        port().register(
          tool('broken', () => {
            throw failure;
          }),
        );
        port().register(tool('broken-async', async () => Promise.reject(failure)));
        for (const name of ['broken', 'broken-async']) {
          const error = expectPantheonError(
            await failureOf(() => port().invoke(name, {})),
            'TOOL_FAILED',
            ToolError,
          );
          expect(error.cause).toBe(failure);
          expect(error.details?.toolName).toBe(name);
        }
      });

      it('passes a Pantheon error a tool throws through unchanged', async () => {
        const denied = new ToolError('No access', 'broken', undefined, { code: 'TOOL_DENIED' });
        port().register(
          tool('broken', () => {
            throw denied;
          }),
        );
        expect(await failureOf(() => port().invoke('broken', {}))).toBe(denied);
      });

      it('rejects a call whose signal already aborted with ABORTED, without running the tool', async () => {
        let runs = 0;
        port().register(
          tool('add', () => {
            runs++;
            return 0;
          }),
        );
        const controller = new AbortController();
        controller.abort();
        expectPantheonError(
          await failureOf(() => port().invoke('add', {}, { signal: controller.signal })),
          'ABORTED',
          PantheonError,
        );
        expect(runs).toBe(0);
      });

      it('rejects with TOOL_TIMEOUT when a tool outlasts `timeoutMs`', async () => {
        let signal: AbortSignal | undefined;
        port().register(
          tool('stuck', (_args, context?: ToolExecutionContext) => {
            signal = context?.signal;
            return new Promise(() => {});
          }),
        );
        const error = expectPantheonError(
          await failureOf(() => port().invoke('stuck', {}, { timeoutMs: 20 })),
          'TOOL_TIMEOUT',
          ToolError,
        );
        expect(error.message).toContain('stuck');
        expect(signal?.aborted).toBe(true);
      });

      it('rejects with TOOL_TIMEOUT when a tool outlasts its own `timeout`', async () => {
        port().register(tool('stuck-by-default', () => new Promise(() => {}), { timeout: 20 }));
        expectPantheonError(
          await failureOf(() => port().invoke('stuck-by-default', {})),
          'TOOL_TIMEOUT',
          ToolError,
        );
      });

      it('rejects a malformed spec at `register` with TOOL_INVALID_SPEC', () => {
        const withoutExecute = { name: 'no-execute', description: 'x', parameters: {} };
        const withoutName = { description: 'x', parameters: {}, execute: () => 1 };
        for (const spec of [withoutExecute, withoutName, null]) {
          let thrown: unknown;
          try {
            port().register(spec as unknown as ToolSpec);
          } catch (error) {
            thrown = error;
          }
          expectPantheonError(thrown, 'TOOL_INVALID_SPEC', ToolError);
        }
      });

      it('rejects a second tool of a registered name with TOOL_DUPLICATE and keeps the first', async () => {
        port().register(tool('add', () => 'first'));
        let thrown: unknown;
        try {
          port().register(tool('add', () => 'second'));
        } catch (error) {
          thrown = error;
        }
        const error = expectPantheonError(thrown, 'TOOL_DUPLICATE', ToolError);
        expect(error.details?.toolName).toBe('add');
        await expect(port().invoke('add', {})).resolves.toBe('first');
      });

      if (features.list) {
        it('lists the registered tools in registration order', () => {
          for (const name of ['zeta', 'alpha', 'mid']) port().register(tool(name, () => name));
          expect(port().list!().map((spec) => spec.name)).toEqual(['zeta', 'alpha', 'mid']);
        });
      }

      if (features.unregister) {
        it('unregisters a tool: it is then unknown', async () => {
          port().register(tool('temporary', () => 'here'));
          expect(port().unregister!('temporary')).toBe(true);
          expect(port().unregister!('temporary')).toBe(false);
          expectPantheonError(
            await failureOf(() => port().invoke('temporary', {})),
            'TOOL_NOT_FOUND',
            ToolError,
          );
          if (features.list)
            expect(port().list!().map((spec) => spec.name)).not.toContain('temporary');
        });
      }
    });
  });
}
