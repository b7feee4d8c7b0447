import { FieldPath, YamlLocator } from '../yaml/YamlLocator';

/** Finds fields of a Score file, or placeholders inside their values. @public */
export interface ScoreFieldLocator {
  /**
   * Line and column of the value at `path` (of its key with `key`), or of
   * `placeholder` within that value when it is written there.
   */
  locate(path: FieldPath, options?: { key?: boolean; placeholder?: string }): { line: number; column: number } | undefined;
}

/**
 * A locator over a Score file's text. The YAML is parsed again only on the
 * first call: positions are needed only when there is something to report.
 *
 * @public
 */
export function scoreFieldLocator(text: string): ScoreFieldLocator {
  let locator: YamlLocator | undefined;
  let lineStarts: number[] | undefined;
  return {
    locate(path, options = {}) {
      locator ??= new YamlLocator(text);
      const field = locator.locate(path, options);
      if (!field || !options.placeholder) return field;
      if (!lineStarts) {
        lineStarts = [0];
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
      }
      // The placeholder as written in the value (plain, quoted or block scalar), at or after the value's start.
      const at = text.indexOf(options.placeholder, lineStarts[field.line - 1] + field.column - 1);
      if (at < 0) return field;
      let line = field.line;
      while (line < lineStarts.length && lineStarts[line] <= at) line++;
      return { line, column: at - lineStarts[line - 1] + 1 };
    },
  };
}
