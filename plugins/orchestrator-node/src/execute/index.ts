export {
  executeGraph,
  type ExecuteGraphOptions,
  type NodeEvent,
  type NodeResult,
  type PreviousNodeState,
} from './executeGraph';
export { resolveDriverInputs, type DriverInputsTarget } from './resolveDriverInputs';
