/**
 * What a render worker thread loads: rendering one workload from plain data,
 * and the Kubernetes schema validators. Kept apart from the engine's main
 * entry so that a worker starts without the rest of it.
 *
 * @packageDocumentation
 */
export { renderWorkloadJob } from './renderApplication';
export { loadKubernetesValidators } from './validateKubernetesObject';
