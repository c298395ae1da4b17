export type { SimulationRandom } from './random';
export { DEFAULT_SIMULATION_FAULTS, SimulationFailure, simulate } from './simulate';
export type {
  SimulatedInput,
  SimulatedMessage,
  SimulatedToolCall,
  SimulationFaults,
  SimulationInputContext,
  SimulationInvariant,
  SimulationOptions,
  SimulationReport,
  SimulationSetup,
  SimulationStore,
  SimulationView,
} from './types';
