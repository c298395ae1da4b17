// The public surface of the package: the runtime names of each entry point, sorted, so that a
// change to what users can import shows as a diff in review.
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };

const names = async (entry: Promise<Record<string, unknown>>) => Object.keys(await entry).sort();

describe('public API of @promethean-os/pantheon-test', () => {
  it('has the main entry and the contracts subpath', () => {
    expect(Object.keys(packageJson.exports)).toMatchInlineSnapshot(`
      [
        ".",
        "./contracts",
        "./package.json",
      ]
    `);
  });

  it('exports mocks, fixtures and cassettes from the main entry', async () => {
    expect(await names(import('./index'))).toMatchInlineSnapshot(`
      [
        "MockContextAdapter",
        "MockLlmAdapter",
        "MockToolAdapter",
        "RecordingLlmAdapter",
        "ReplayLlmAdapter",
        "collectStream",
        "createMockActorState",
        "createMockMessageBus",
        "createMockScheduler",
        "createRecordingServer",
        "createTestActor",
        "createTestClock",
        "createTestScript",
      ]
    `);
  });

  it('exports the port contract suites from /contracts', async () => {
    expect(await names(import('./contracts/index'))).toMatchInlineSnapshot(`
      [
        "describeActorStatePortContract",
        "describeContextPortContract",
        "describeLlmPortContract",
        "describeMailboxStoreContract",
        "describeMessageBusContract",
        "describeSchedulerContract",
        "describeToolPortContract",
        "detectActorStatePortFeatures",
        "detectContextPortFeatures",
        "detectLlmPortFeatures",
        "detectToolPortFeatures",
        "llmPortOverHttp",
        "realTimeHarness",
        "virtualTimeHarness",
      ]
    `);
  });
});
