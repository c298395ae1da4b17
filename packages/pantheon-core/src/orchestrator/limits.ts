import type { OrchestratorLimits } from './types';

/** The limits used where `OrchestratorDeps.limits` says nothing. */
export const DEFAULT_ORCHESTRATOR_LIMITS: Readonly<OrchestratorLimits> = Object.freeze({
  maxActionsPerTick: 100,
  maxSpawnDepth: 5,
  maxSpawnsPerTick: 10,
  maxWaitMs: 3_600_000,
});

/** How deep `actor` is in its spawn tree (0 for an actor nobody spawned). */
export function spawnDepthOf(metadata: Record<string, unknown> | undefined): number {
  const depth = metadata?.spawnDepth;
  return typeof depth === 'number' ? depth : 0;
}
