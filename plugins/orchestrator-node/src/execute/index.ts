export { executeGraph, type ExecuteGraphOptions, type NodeEvent, type NodeResult } from './executeGraph';
