import { Command, CommanderError } from 'commander';

/**
 * Runs the CLI with the given argv and resolves to the process exit code:
 * 0 success, 1 invalid input or failed plan, 2 usage error.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('baton')
    .description(
      'Baton: validate, plan, render and explain Score workloads against resource definitions',
    )
    .version(require('../package.json').version)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });

  program
    .command('validate')
    .description('Validate Score files (score.dev/v1b1)')
    .argument('<file...>', 'Score files');

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
}
