import {
  Diagnostic,
  FieldPath,
  formatPath,
  ScoreContainer,
  ScoreDocument,
  ScoreProbe,
  scoreFieldLocator,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import { DriverManifest } from '../drivers/types';
import {
  knownAfterProvisioning,
  ResourceOutputs,
  scoreLookup,
  substituteString,
  SubstitutionError,
} from '../placeholders';
import { KubernetesObject, validateKubernetesObject } from './validateKubernetesObject';

/** @public */
export interface RenderWorkloadOptions {
  document: ScoreDocument;
  app: string;
  env: string;
  namespace: string;
  /** Catalog entity name for `backstage.io/kubernetes-id` (default: the workload name). */
  entityName?: string;
  /**
   * Outputs of the workload's resources, by their name in the Score file, with the id of the definition that provisioned each.
   * A preview marks the outputs of a resource not provisioned yet `unknownOutputs`: what reads them renders {@link knownAfterProvisioning}.
   */
  resources: Record<string, ResourceOutputs & { definition?: string; unknownOutputs?: boolean }>;
  /** Manifests from the workload node's own driver (a platform team's workload definition). */
  manifests?: Record<string, DriverManifest>;
  /** Id of the workload definition that gave `manifests`, named in problems with them. */
  workloadDefinition?: string;
  /** The image of containers written `image: .` (an image built from the Score file's directory); without it they are refused. */
  image?: string;
  /** Reads a file named by `files.*.source`, relative to the Score file. */
  readFile?: (path: string) => string;
}

/** Resources whose outputs are unknown read as markers naming the placeholder. */
function withUnknownOutputs(resources: RenderWorkloadOptions['resources']): Parameters<typeof scoreLookup>[0]['resources'] {
  if (!Object.values(resources).some(r => r.unknownOutputs)) return resources;
  return Object.fromEntries(
    Object.entries(resources).map(([name, r]) => [
      name,
      r.unknownOutputs ? (keys: string[]) => ({ value: knownAfterProvisioning(['resources', name, ...keys].join('.')), secret: false }) : r,
    ]),
  );
}

const SECRET_SUFFIX = '-secrets';
// `image: .` is Score's "built from this directory": an image a build must supply.
const NO_IMAGE = '.';
const FILES_SUFFIX = '-files';

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * Renders a Score workload to Kubernetes objects: a Deployment (initContainers
 * for containers that run to completion before others), a Service for its
 * ports, a ConfigMap for files and a Secret for every variable or file that
 * reads a secret output, referenced through `secretKeyRef` / a secret volume
 * so the value appears nowhere else; plus the manifests of its resources and
 * of the workload definition. Every object is validated against the
 * Kubernetes schemas, unknown fields rejected. All problems are reported
 * together, with line and column when the document has its text.
 *
 * @public
 */
export function renderWorkload(options: RenderWorkloadOptions): KubernetesObject[] {
  const { document, app, env, namespace } = options;
  const { workload, file } = document;
  const name = workload.metadata.name;
  const problems: { path: FieldPath; message: string; placeholder?: string }[] = [];
  const lookup = scoreLookup({ metadata: workload.metadata, resources: withUnknownOutputs(options.resources) });
  const report = (path: FieldPath, message: string, placeholder?: string) => problems.push({ path, message, placeholder });

  const substitute = (value: string, path: FieldPath) => {
    try {
      return substituteString(value, lookup);
    } catch (error) {
      const { problems: messages = [(error as Error).message], placeholders = [] } = error as SubstitutionError;
      messages.forEach((message, i) => report(path, message, placeholders[i]));
      return { value, secret: false };
    }
  };

  const selector = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': `${app}-${env}-${name}`,
  };
  const labels: Record<string, string> = {
    ...selector,
    'app.kubernetes.io/part-of': app,
    'app.kubernetes.io/managed-by': 'baton',
    'backstage.io/kubernetes-id': options.entityName ?? name,
  };
  const annotations: Record<string, string> = {
    ...(workload.metadata.annotations ?? {}),
    'baton.dev/app': app,
    'baton.dev/env': env,
    'baton.dev/workload': name,
  };
  const meta = (objectName: string) => ({ name: objectName, namespace, labels, annotations });

  const secretData: Record<string, string> = {};
  const configData: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const volumes: Record<string, unknown>[] = [];
  const containers: Record<string, unknown>[] = [];
  const initContainers: Record<string, unknown>[] = [];
  // Where pod entries that others wrote came from, to name them when the schema rejects them.
  const origins = new Map<unknown, string>();

  for (const [cname, container] of Object.entries(workload.containers)) {
    const at = (...field: FieldPath) => ['containers', cname, ...field];
    const image = container.image === NO_IMAGE ? options.image : container.image;
    if (!image) {
      report(at('image'), `container '${cname}' has no image ('.' and no image given to render): set containers.${cname}.image to a container image`);
    }
    const envVars: Record<string, unknown>[] = [];
    for (const [key, raw] of Object.entries(container.variables ?? {})) {
      const { value, secret } = substitute(raw, at('variables', key));
      if (secret) {
        const secretKey = `${cname}.${key}`;
        secretData[secretKey] = base64(value);
        envVars.push({ name: key, valueFrom: { secretKeyRef: { name: `${name}${SECRET_SUFFIX}`, key: secretKey } } });
      } else {
        envVars.push({ name: key, value });
      }
    }

    const mounts: Record<string, unknown>[] = [];
    Object.entries(container.files ?? {}).forEach(([target, f], i) => {
      const path = at('files', target);
      const volumeName = `file-${cname}-${i}`;
      const dataKey = `${cname}-${i}`;
      const mode = f.mode ? parseInt(f.mode, 8) : undefined;
      const item = { key: dataKey, path: 'file', ...(mode !== undefined ? { mode } : {}) };
      let secret = false;
      if (f.binaryContent !== undefined) {
        binaryData[dataKey] = f.binaryContent;
      } else {
        let content = f.content;
        if (content === undefined && f.source !== undefined) {
          if (!options.readFile) {
            report([...path, 'source'], `cannot read ${f.source}: no file access here`);
            return;
          }
          try {
            content = options.readFile(f.source);
          } catch (error) {
            report([...path, 'source'], `cannot read ${f.source}: ${(error as Error).message}`);
            return;
          }
        }
        let text = content ?? '';
        if (!f.noExpand) {
          const r = substitute(text, [...path, f.content !== undefined ? 'content' : 'source']);
          text = r.value;
          secret = r.secret;
        }
        if (secret) secretData[dataKey] = base64(text);
        else configData[dataKey] = text;
      }
      volumes.push(
        secret
          ? { name: volumeName, secret: { secretName: `${name}${SECRET_SUFFIX}`, items: [item] } }
          : { name: volumeName, configMap: { name: `${name}${FILES_SUFFIX}`, items: [item] } },
      );
      mounts.push({ name: volumeName, mountPath: target, subPath: 'file', readOnly: true });
    });

    Object.entries(container.volumes ?? {}).forEach(([target, v], i) => {
      const path = at('volumes', target, 'source');
      const volumeName = `volume-${cname}-${i}`;
      const mount = {
        name: volumeName,
        mountPath: target,
        ...(v.path ? { subPath: v.path } : {}),
        ...(v.readOnly !== undefined ? { readOnly: v.readOnly } : {}),
      };
      const m = /^\$\{resources\.([a-z0-9][a-z0-9-]*[a-z0-9])\}$/.exec(v.source);
      if (!m) {
        if (v.source.includes('${')) {
          report(path, `volume source ${v.source} must be \${resources.<name>} of a volume resource`);
          return;
        }
        // A plain name refers to a claim that exists in the namespace already.
        volumes.push({ name: volumeName, persistentVolumeClaim: { claimName: v.source } });
        mounts.push(mount);
        return;
      }
      const resource = options.resources[m[1]];
      const source = resource?.outputs.source;
      if (!resource) {
        report(path, `\${resources.${m[1]}}: no resource '${m[1]}'`);
        return;
      }
      if (!source || typeof source !== 'object' || Array.isArray(source)) {
        report(path, `\${resources.${m[1]}}: the resource's outputs have no 'source' (a Kubernetes volume source such as {emptyDir: {}})`);
        return;
      }
      if (!Object.keys(source).length) {
        report(path, `\${resources.${m[1]}}: the resource's 'source' output is empty: it must name a Kubernetes volume source such as {emptyDir: {}}`);
        return;
      }
      const volume = { name: volumeName, ...(source as Record<string, unknown>) };
      origins.set(volume, `resource ${m[1]}${resource.definition ? ` (definition ${resource.definition})` : ''}`);
      volumes.push(volume);
      mounts.push(mount);
    });

    const spec = containerSpec(cname, { ...container, image: image ?? container.image }, envVars, mounts);
    const before = Object.values(container.before ?? {});
    // A container that must complete before others is an init container (score-compose's reading of `before`).
    if (before.length && before.every(b => b.ready === 'complete')) initContainers.push(spec);
    else containers.push(spec);
  }

  // Manifests of the workload definition merge into the pod.
  const extraObjects: KubernetesObject[] = [];
  const fromDefinition = `workload definition${options.workloadDefinition ? ` ${options.workloadDefinition}` : ''}`;
  for (const [mname, m] of Object.entries(options.manifests ?? {})) {
    if (m.location === 'containers') containers.push(m.data);
    else if (m.location === 'volumes') volumes.push(m.data);
    else extraObjects.push(withNamespace(m, namespace, mname));
    origins.set(m.location === 'containers' || m.location === 'volumes' ? m.data : extraObjects[extraObjects.length - 1], `${fromDefinition}, manifest ${mname}`);
  }

  const objects: KubernetesObject[] = [];
  const hasSecrets = Object.keys(secretData).length > 0;
  if (hasSecrets) {
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: meta(`${name}${SECRET_SUFFIX}`), type: 'Opaque', data: secretData });
  }
  if (Object.keys(configData).length || Object.keys(binaryData).length) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${name}${FILES_SUFFIX}`),
      ...(Object.keys(configData).length ? { data: configData } : {}),
      ...(Object.keys(binaryData).length ? { binaryData } : {}),
    });
  }
  objects.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels, annotations },
        spec: {
          ...(initContainers.length ? { initContainers } : {}),
          containers,
          ...(volumes.length ? { volumes } : {}),
        },
      },
    },
  });
  const ports = Object.entries(workload.service?.ports ?? {});
  if (ports.length) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: {
        selector,
        ports: ports.map(([pname, p]) => ({
          name: pname,
          port: p.port,
          targetPort: p.targetPort ?? p.port,
          protocol: p.protocol ?? 'TCP',
        })),
      },
    });
  }
  objects.push(...extraObjects);

  if (problems.length) {
    const locate = document.text !== undefined ? scoreFieldLocator(document.text) : undefined;
    throw new ValidationError(
      problems.map(p => {
        const position = locate?.locate(p.path, { placeholder: p.placeholder });
        return { file, ...position, path: formatPath(p.path), message: p.message };
      }),
    );
  }
  const diagnostics: Diagnostic[] = [];
  for (const object of objects) {
    for (const d of validateKubernetesObject(object, file)) {
      const origin = origins.get(object) ?? podEntryOrigin(object, d.path, origins);
      diagnostics.push(origin ? { ...d, message: `${d.message} (from ${origin})` } : d);
    }
  }
  if (diagnostics.length) throw new ValidationError(diagnostics);
  return objects;
}

/** The origin of the pod's container or volume a problem's path is in (`spec.template.spec.volumes.1.…`). */
function podEntryOrigin(object: KubernetesObject, path: string | undefined, origins: Map<unknown, string>): string | undefined {
  const m = /^spec\.template\.spec\.(containers|initContainers|volumes)\.(\d+)(\.|$)/.exec(path ?? '');
  if (!m || object.kind !== 'Deployment') return undefined;
  const pod = (object.spec as { template: { spec: Record<string, unknown[]> } }).template.spec;
  return origins.get(pod[m[1]]?.[Number(m[2])]);
}

function containerSpec(
  name: string,
  c: ScoreContainer,
  env: Record<string, unknown>[],
  volumeMounts: Record<string, unknown>[],
): Record<string, unknown> {
  return {
    name,
    image: c.image,
    ...(c.command ? { command: c.command } : {}),
    ...(c.args ? { args: c.args } : {}),
    ...(env.length ? { env } : {}),
    ...(volumeMounts.length ? { volumeMounts } : {}),
    ...(c.resources ? { resources: c.resources } : {}),
    ...(c.livenessProbe ? { livenessProbe: probe(c.livenessProbe) } : {}),
    ...(c.readinessProbe ? { readinessProbe: probe(c.readinessProbe) } : {}),
  };
}

function probe(p: ScoreProbe): Record<string, unknown> {
  if (p.httpGet) {
    const { path, port, host, scheme, httpHeaders } = p.httpGet;
    return { httpGet: { path, port, ...(host ? { host } : {}), ...(scheme ? { scheme } : {}), ...(httpHeaders ? { httpHeaders } : {}) } };
  }
  return { exec: { command: p.exec!.command } };
}

/** Namespaced driver manifests go into the app's namespace; cluster ones stay as written. */
export function withNamespace(m: DriverManifest, namespace: string, name: string): KubernetesObject {
  const data = m.data as KubernetesObject;
  const metadata = { ...(data.metadata ?? { name }) };
  if (m.location === 'namespace') metadata.namespace = namespace;
  return { ...data, metadata } as KubernetesObject;
}
