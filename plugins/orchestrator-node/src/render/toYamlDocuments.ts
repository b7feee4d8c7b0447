import { dump } from 'js-yaml';
import { KubernetesObject } from './validateKubernetesObject';

/**
 * Multi-document YAML of Kubernetes objects, keys in a stable order
 * (apiVersion, kind, metadata first) so Git diffs stay small.
 *
 * @public
 */
export function toYamlDocuments(objects: KubernetesObject[]): string {
  return objects
    .map(({ apiVersion, kind, metadata, ...rest }) =>
      dump({ apiVersion, kind, metadata, ...rest }, { noRefs: true, lineWidth: -1, sortKeys: false }),
    )
    .join('---\n');
}
