import { CliIo } from '../io';
import { DiagnosticCollector, readScoreFiles } from './inputs';

/** `baton validate FILE…`: every problem of every file, then exit 0 or 1. */
export async function runValidate(files: string[], io: CliIo): Promise<number> {
  const collector = new DiagnosticCollector();
  const documents = await readScoreFiles(files, collector);
  for (const { file, workload } of documents) {
    io.stdout(`${file}: workload ${workload.metadata.name} is valid\n`);
  }
  return collector.report(io);
}
