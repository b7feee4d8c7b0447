import {
  Diagnostic,
  formatDiagnostic,
  LoadedDefinition,
  parseScore,
  ScoreDocument,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import { loadDefinitionFiles } from '@baton/backstage-plugin-orchestrator-node';
import { promises as fs } from 'node:fs';
import { CliIo } from '../io';

/** Collects problems of several inputs so that all are printed together. */
export class DiagnosticCollector {
  readonly diagnostics: Diagnostic[] = [];

  add(error: unknown, file?: string) {
    if (error instanceof ValidationError) {
      this.diagnostics.push(...error.diagnostics);
    } else if (isNodeError(error) && error.code === 'ENOENT') {
      this.diagnostics.push({ file, message: 'file not found' });
    } else {
      this.diagnostics.push({
        file,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Prints every problem as `file:line:col: message`; returns the exit code. */
  report(io: CliIo): number {
    for (const d of this.diagnostics) {
      io.stderr(`${formatDiagnostic(d)}\n`);
    }
    return this.diagnostics.length ? 1 : 0;
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

export async function readScoreFiles(
  files: string[],
  collector: DiagnosticCollector,
): Promise<ScoreDocument[]> {
  const documents: ScoreDocument[] = [];
  for (const file of files) {
    try {
      const text = await fs.readFile(file, 'utf8');
      documents.push({ file, workload: parseScore(text, file), text });
    } catch (error) {
      collector.add(error, file);
    }
  }
  return documents;
}

export async function readDefinitions(
  paths: string[],
  collector: DiagnosticCollector,
): Promise<LoadedDefinition[]> {
  try {
    return await loadDefinitionFiles(paths);
  } catch (error) {
    collector.add(error);
    return [];
  }
}
