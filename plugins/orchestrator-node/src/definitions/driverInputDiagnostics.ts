import type { Diagnostic, LoadedDefinition } from '@baton/backstage-plugin-orchestrator-common';
import { isMap, isSeq, LineCounter, Node, parseAllDocuments } from 'yaml';
import { checkDriverInputs } from '../drivers/checkDriverInputs';
import type { Driver } from '../drivers/types';

/**
 * The problems of a definition's `driverInputs` (see
 * {@link checkDriverInputs}) as diagnostics at `spec.driverInputs.…`. With
 * `text`, the YAML the definition was read from, each is located at its
 * field (a missing one at its parent); otherwise at the definition's first
 * line. A definition whose driver is not installed has none here: that is a
 * problem of its own.
 *
 * @public
 */
export function driverInputDiagnostics(
  loaded: LoadedDefinition,
  drivers: { get(id: string): Driver | undefined },
  text?: string,
): Diagnostic[] {
  const { spec, metadata } = loaded.definition;
  const driver = drivers.get(spec.driver);
  if (!driver) return [];
  const problems = checkDriverInputs(driver, spec.driverInputs?.values ?? {}, Object.keys(spec.driverInputs?.secrets ?? {}));
  if (!problems.length) return [];
  const locator = text === undefined ? undefined : definitionLocator(text, metadata.id);
  return problems.map(p => {
    const path = `spec.driverInputs.${p.path}`;
    const position = locator?.(path.split('.')) ?? (loaded.line !== undefined ? { line: loaded.line } : {});
    return { ...(loaded.file ? { file: loaded.file } : {}), ...position, path, message: p.message };
  });
}

/**
 * Finds fields of the `ResourceDefinition` document with `id` in a
 * (multi-document) YAML text: the position of the field at a path, or of
 * the nearest ancestor that exists.
 */
function definitionLocator(text: string, id: string): ((path: string[]) => { line: number; column: number } | undefined) | undefined {
  const lineCounter = new LineCounter();
  const doc = parseAllDocuments(text, { lineCounter }).find(
    d => d.getIn(['kind']) === 'ResourceDefinition' && String(d.getIn(['metadata', 'id'])) === id,
  );
  if (!doc) return undefined;
  return path => {
    let node = doc.contents as Node | null;
    // A field is where its key is: a block value starts on the next line.
    let best: Node | undefined = node ?? undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(p => String((p.key as { value?: unknown } | null)?.value) === segment);
        if (!pair) break;
        node = (pair.value as Node | null) ?? null;
        best = pair.key as Node;
      } else if (isSeq(node) && /^\d+$/.test(segment) && node.items[Number(segment)]) {
        node = node.items[Number(segment)] as Node;
        best = node;
      } else break;
    }
    const offset = best?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
}
