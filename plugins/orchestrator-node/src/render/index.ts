export { renderWorkload, withNamespace, type RenderWorkloadOptions } from './renderWorkload';
export { loadKubernetesValidators, validateKubernetesObject, type KubernetesObject } from './validateKubernetesObject';
export { toYamlDocuments } from './toYamlDocuments';
export {
  renderApplication,
  renderApplicationInSlices,
  type RenderApplicationOptions,
  type RenderedApplication,
} from './renderApplication';
export { RenderWorkers } from './RenderWorkers';
