import type { DriverContext } from '@baton/backstage-plugin-orchestrator-node';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TerraformStates } from './terraformStates';

/**
 * The folders runs work in, `<runsDir>/<guresid>.<pid>.<random>`, each
 * removed after its run. A folder left by a process that is gone is
 * recovered before the next run of its resource: its errored state is kept.
 */
export class TerraformRunFolders {
  /** Run folders of this process, so that a leftover of another one can be told apart. */
  private readonly active = new Set<string>();

  constructor(
    private readonly runsDir: string,
    private readonly states: TerraformStates,
  ) {}

  /** A fresh folder for a run of this resource, after recovering the resource's leftovers. */
  async create(ctx: DriverContext): Promise<string> {
    await fs.mkdir(this.runsDir, { recursive: true });
    await this.recoverLeftovers(ctx);
    const runDir = path.join(this.runsDir, `${safeName(ctx.guresid)}.${process.pid}.${randomBytes(4).toString('hex')}`);
    await fs.mkdir(runDir, { mode: 0o700 });
    this.active.add(runDir);
    return runDir;
  }

  /** Removes a run's folder, keeping the state Terraform could not save there. */
  async remove(ctx: DriverContext, runDir: string) {
    await this.keepErroredState(ctx, runDir);
    await fs.rm(runDir, { recursive: true, force: true });
    this.active.delete(runDir);
  }

  /**
   * When Terraform could not save its state (the state backend went away
   * with a stopped backend), it writes `errored.tfstate`: that state goes to
   * Baton's store before the folder is removed, so nothing made is lost.
   */
  private async keepErroredState(ctx: DriverContext, runDir: string) {
    const file = (await findFiles(runDir, 'errored.tfstate'))[0];
    if (!file) return;
    await this.states.importState(ctx, await fs.readFile(file, 'utf8'), 'this run');
  }

  /** Run folders of processes that are gone: their errored states are kept, the folders removed. */
  private async recoverLeftovers(ctx: DriverContext) {
    const prefix = `${safeName(ctx.guresid)}.`;
    for (const name of await fs.readdir(this.runsDir)) {
      const dir = path.join(this.runsDir, name);
      if (!name.startsWith(prefix) || this.active.has(dir)) continue;
      const owner = Number(name.slice(prefix.length).split('.')[0]);
      const child = Number(await fs.readFile(path.join(dir, 'terraform.pid'), 'utf8').catch(() => 'NaN'));
      // Still running (this is another live process's run, or its Terraform has not given up yet).
      if ((owner !== process.pid && alive(owner)) || alive(child)) continue;
      const errored = (await findFiles(dir, 'errored.tfstate'))[0];
      if (errored) await this.states.importState(ctx, await fs.readFile(errored, 'utf8'), 'an interrupted run');
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}

function safeName(guresid: string): string {
  return guresid.replace(/[^A-Za-z0-9_-]/g, '_');
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function findFiles(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) found.push(full);
    else if (entry.isDirectory() && entry.name !== '.terraform' && entry.name !== '.git') found.push(...(await findFiles(full, name)));
  }
  return found;
}
