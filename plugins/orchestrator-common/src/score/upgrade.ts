import { FieldPath } from '../yaml/YamlLocator';

/**
 * Upgrades the deprecated forms score-go's ApplyCommonUpgradeTransforms
 * accepts: `files` and `volumes` as arrays with `target` become maps keyed by
 * target, file `content` as a list of lines is joined, volume `read_only`
 * becomes `readOnly`. Returns a copy; the input is not changed.
 */
export function upgradeDeprecatedForms(raw: Record<string, unknown>): {
  workload: Record<string, unknown>;
  problems: { path: FieldPath; message: string }[];
} {
  const problems: { path: FieldPath; message: string }[] = [];
  const containers = raw.containers;
  if (!containers || typeof containers !== 'object' || Array.isArray(containers)) {
    return { workload: raw, problems };
  }
  let changed = false;
  const upgraded: Record<string, unknown> = {};
  for (const [name, container] of Object.entries(containers as Record<string, unknown>)) {
    if (!container || typeof container !== 'object' || Array.isArray(container)) {
      upgraded[name] = container;
      continue;
    }
    const c = { ...(container as Record<string, unknown>) };
    for (const field of ['files', 'volumes'] as const) {
      const list = c[field];
      if (!Array.isArray(list)) continue;
      changed = true;
      const map: Record<string, unknown> = {};
      list.forEach((entry, i) => {
        const path = ['containers', name, field, i];
        if (!entry || typeof entry !== 'object' || typeof (entry as { target?: unknown }).target !== 'string') {
          problems.push({ path, message: `the ${field} list form needs a 'target' on every entry` });
          return;
        }
        const { target, ...rest } = entry as Record<string, unknown>;
        if (map[target as string]) {
          problems.push({ path, message: `duplicate ${field} target '${target}'` });
          return;
        }
        if (field === 'files' && Array.isArray(rest.content)) {
          rest.content = rest.content.map(String).join('\n');
        }
        if (field === 'volumes' && 'read_only' in rest) {
          rest.readOnly = rest.read_only;
          delete rest.read_only;
        }
        map[target as string] = rest;
      });
      c[field] = map;
    }
    upgraded[name] = c;
  }
  return { workload: changed ? { ...raw, containers: upgraded } : raw, problems };
}
