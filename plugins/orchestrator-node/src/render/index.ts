export { renderWorkload, withNamespace, type RenderWorkloadOptions } from './renderWorkload';
export { validateKubernetesObject, type KubernetesObject } from './validateKubernetesObject';
export { toYamlDocuments } from './toYamlDocuments';
