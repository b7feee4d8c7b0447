import { isMap, isSeq, LineCounter, Node, parseAllDocuments } from 'yaml';

/** A field path: map keys and sequence indexes. */
export type FieldPath = (string | number)[];

/**
 * Finds line and column of a field in YAML text. Parsing with `yaml` (which
 * keeps node ranges) is slow next to js-yaml, so it is only done when there
 * are problems to report.
 */
export class YamlLocator {
  private readonly lineCounter = new LineCounter();
  private readonly contents: Node | null;

  /** `documentIndex` picks one document of a multi-document file. */
  constructor(text: string, documentIndex = 0) {
    const docs = parseAllDocuments(text, { lineCounter: this.lineCounter });
    const doc = Array.isArray(docs) ? docs[documentIndex] : undefined;
    this.contents = (doc?.contents as Node | null) ?? null;
  }

  /**
   * Position of the value at `path`, or of its key when `key` is set (for
   * unknown fields). Falls back to the nearest ancestor that exists.
   */
  locate(path: FieldPath, options: { key?: boolean } = {}): { line: number; column: number } | undefined {
    let node: Node | null = this.contents;
    let keyNode: Node | undefined;
    let best: Node | undefined = node ?? undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(p => {
          const k = p.key as Node & { value?: unknown };
          return k && String(k.value) === String(segment);
        });
        if (!pair) break;
        keyNode = pair.key as Node;
        node = (pair.value as Node | null) ?? null;
        best = node ?? keyNode;
      } else if (isSeq(node) && /^\d+$/.test(String(segment))) {
        const item = node.items[Number(segment)] as Node | undefined;
        if (!item) break;
        keyNode = undefined;
        node = item;
        best = item;
      } else {
        break;
      }
    }
    const target = options.key && keyNode && best !== keyNode ? keyNode : best;
    const offset = target?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = this.lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  }
}

/** `containers.main.files./etc/app.conf` style text of a field path. */
export function formatPath(path: FieldPath): string {
  return path.map(String).join('.');
}
