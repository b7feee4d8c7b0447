import {
  checkDefinitionConflicts,
  Diagnostic,
  LoadedDefinition,
  parseResourceDefinitions,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';

async function yamlFilesOf(target: string): Promise<string[]> {
  const stat = await fs.stat(target);
  if (!stat.isDirectory()) return [target];
  const entries = await fs.readdir(target, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFilesOf(full)));
    else if (/\.ya?ml$/.test(entry.name)) files.push(full);
  }
  return files;
}

/**
 * Loads resource definitions from files and directories (walked
 * recursively, `*.yaml`/`*.yml`, in name order). Every problem of every file,
 * and every conflict between definitions, is reported together.
 *
 * @public
 */
export async function loadDefinitionFiles(paths: string[]): Promise<LoadedDefinition[]> {
  const diagnostics: Diagnostic[] = [];
  const loaded: LoadedDefinition[] = [];
  for (const target of paths) {
    let files: string[];
    try {
      files = await yamlFilesOf(target);
    } catch (error) {
      diagnostics.push({ file: target, message: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(error) });
      continue;
    }
    for (const file of files) {
      try {
        loaded.push(...parseResourceDefinitions(await fs.readFile(file, 'utf8'), file));
      } catch (error) {
        if (error instanceof ValidationError) diagnostics.push(...error.diagnostics);
        else throw error;
      }
    }
  }
  diagnostics.push(...checkDefinitionConflicts(loaded));
  if (diagnostics.length) throw new ValidationError(diagnostics);
  return loaded;
}
