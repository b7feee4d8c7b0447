/**
 * One problem found in user input. `file`, `line` (1-based), `column`
 * (1-based) and `path` (dotted field path, e.g. `containers.main.image`) are
 * set whenever they are known, so that every message can point at the spot.
 *
 * @public
 */
export interface Diagnostic {
  file?: string;
  line?: number;
  column?: number;
  path?: string;
  message: string;
}

/**
 * Thrown when input is invalid; carries every problem found, not just the
 * first one. `name` is `ValidationError` so HTTP layers can map it to 400.
 *
 * @public
 */
export class ValidationError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[], message?: string) {
    super(
      message ??
        (diagnostics.length === 1
          ? formatDiagnostic(diagnostics[0])
          : `${diagnostics.length} problems:\n${diagnostics
              .map(d => `  ${formatDiagnostic(d)}`)
              .join('\n')}`),
    );
    this.name = 'ValidationError';
    this.diagnostics = diagnostics;
  }
}

/**
 * Formats a diagnostic as `file:line:col: path: message`, leaving out what is
 * unknown. This is the form the CLI prints.
 *
 * @public
 */
export function formatDiagnostic(d: Diagnostic): string {
  let where = '';
  if (d.file) {
    where = d.file;
    if (d.line !== undefined) {
      where += `:${d.line}`;
      if (d.column !== undefined) where += `:${d.column}`;
    }
    where += ': ';
  }
  const path = d.path ? `${d.path}: ` : '';
  return `${where}${path}${d.message}`;
}
