import { Command, CommanderError, Option } from 'commander';
import { runValidate } from './commands/validate';
import { runPlan, runRender, runExplain } from './commands/plan';
import { runDeploy } from './commands/deploy';
import { runDecide } from './commands/approve';
import { runImportDefinitions } from './commands/importDefinitions';
import { CliIo, processIo } from './io';

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  value,
];

/** Options shared by plan, render and explain. */
function withContextOptions(command: Command): Command {
  return command
    .requiredOption('--app <id>', 'app id')
    .requiredOption('--env <id>', 'environment id')
    .requiredOption('--env-type <type>', 'environment type')
    .requiredOption(
      '--definitions <path>',
      'resource definitions: a file or a directory (repeatable)',
      collect,
    )
    .addOption(
      new Option('--output <format>', 'output format')
        .choices(['text', 'json'])
        .default('text'),
    );
}

const commands = {
  validate: runValidate,
  plan: runPlan,
  render: runRender,
  explain: runExplain,
  deploy: runDeploy,
  decide: runDecide,
  importDefinitions: runImportDefinitions,
};

/** What each subcommand runs once its arguments are parsed. */
export type BatonCommands = typeof commands;

/**
 * Runs the CLI with the given argv and resolves to the process exit code:
 * 0 success, 1 invalid input or failed plan, 2 usage error. `replace` swaps
 * subcommands, e.g. to see how a `deploy` line parses without a backend.
 */
export async function main(
  argv: string[],
  io: CliIo = processIo,
  replace: Partial<BatonCommands> = {},
): Promise<number> {
  const run = { ...commands, ...replace };
  let exitCode = 0;
  const program = new Command('baton')
    .description(
      'Baton: validate, plan, render and explain Score workloads against resource definitions',
    )
    .version(require('../package.json').version)
    .exitOverride()
    .configureOutput({
      writeOut: str => io.stdout(str),
      writeErr: str => io.stderr(str),
    })
    .showHelpAfterError();

  program
    .command('validate')
    .description('Validate Score files (score.dev/v1b1); every problem is printed as file:line:col: message')
    .argument('<file...>', 'Score files')
    .action(async (files: string[]) => {
      exitCode = await run.validate(files, io);
    });

  withContextOptions(
    program
      .command('plan')
      .description('Match resources to definitions, build the resource graph and run the pure drivers'),
  )
    .requiredOption('--score <file>', 'Score file (repeatable)', collect)
    .action(async opts => {
      exitCode = await run.plan(opts, io);
    });

  withContextOptions(
    program
      .command('render')
      .description('Plan, then render the Kubernetes manifests (to stdout, or one file per workload with --out)'),
  )
    .requiredOption('--score <file>', 'Score file (repeatable)', collect)
    .option('--out <dir>', 'write the manifests into this directory')
    .option('--image <image>', "the image of containers written 'image: .' (built from the Score file's directory)")
    .action(async opts => {
      exitCode = await run.render(opts, io);
    });

  withContextOptions(
    program
      .command('explain')
      .description('Show every candidate criterion for one resource, why it matched or not, and its rank'),
  )
    .option('--score <file>', 'Score file (repeatable): explain the node as planned from them', collect)
    .requiredOption('--type <type>', 'resource type')
    .option('--class <class>', 'resource class', 'default')
    .requiredOption('--res-id <resId>', 'resource id, e.g. modules.web.externals.db')
    .action(async opts => {
      exitCode = await run.explain(opts, io);
    });

  program
    .command('deploy')
    .description('Deploy Score files to an environment of a running orchestrator and wait for the result')
    .requiredOption('--url <url>', 'backend base URL, e.g. http://localhost:7007')
    .requiredOption('--app <id>', 'app id')
    .requiredOption('--env <id>', 'environment id')
    .requiredOption('--score <file>', 'Score file (repeatable)', collect)
    .option('--comment <text>', 'why this deployment happens')
    .option('--token <token>', 'Backstage token (default: $BATON_TOKEN)')
    .option('--no-wait', 'return once the deployment is queued')
    .action(async opts => {
      exitCode = await run.deploy(opts, io);
    });

  const decide = (decision: 'approve' | 'reject') =>
    program
      .command(decision)
      .description(
        decision === 'approve'
          ? 'Approve a deployment awaiting approval: it is queued and runs (never by its requester)'
          : 'Reject a deployment awaiting approval: it never runs',
      )
      .argument('<app>', 'app id')
      .argument('<env>', 'environment id')
      .argument('<id>', 'deployment id')
      .requiredOption('--url <url>', 'backend base URL, e.g. http://localhost:7007')
      .option('--comment <text>', `why you ${decision} it`)
      .option('--token <token>', 'Backstage token (default: $BATON_TOKEN)')
      .action(async (app: string, env: string, id: string, opts) => {
        exitCode = await run.decide(decision, { app, env, id }, opts, io);
      });
  decide('approve');
  decide('reject');

  program
    .command('definitions')
    .description('Work with resource definitions')
    .command('import')
    .description("Import a score-k8s provisioners file: each cmd:// provisioner becomes a 'command' resource definition (YAML to stdout, or one file each with --out)")
    .argument('<file>', 'score-k8s provisioners file (YAML)')
    .option('--out <dir>', 'write one file per definition into this directory')
    .action(async (file: string, opts: { out?: string }) => {
      exitCode = await run.importDefinitions(file, opts, io);
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
}
