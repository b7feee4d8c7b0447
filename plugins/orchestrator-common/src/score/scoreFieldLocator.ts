import { FieldPath, YamlLocator } from '../yaml/YamlLocator';

/**
 * Line and column of a field of a Score file, or of a placeholder inside its
 * value. @public
 */
export type ScoreFieldLocator = (
  path: FieldPath,
  placeholder?: string,
) => { line: number; column: number } | undefined;

/**
 * A locator over a Score file's text, for problems found after parsing (at
 * render). The YAML is parsed again only on the first call: positions are
 * needed only when there is something to report.
 *
 * @public
 */
export function scoreFieldLocator(text: string): ScoreFieldLocator {
  let locator: YamlLocator | undefined;
  let lineStarts: number[] | undefined;
  return (path, placeholder) => {
    locator ??= new YamlLocator(text);
    const field = locator.locate(path);
    if (!field || !placeholder) return field;
    if (!lineStarts) {
      lineStarts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    }
    // The placeholder as written in the value (plain, quoted or block scalar), at or after the value's start.
    const start = lineStarts[field.line - 1] + field.column - 1;
    const at = text.indexOf(placeholder, start);
    if (at < 0) return field;
    let line = field.line;
    while (line < lineStarts.length && lineStarts[line] <= at) line++;
    return { line, column: at - lineStarts[line - 1] + 1 };
  };
}
