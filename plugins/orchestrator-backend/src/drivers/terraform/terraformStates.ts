import type { DriverContext, DriverResult } from '@baton/backstage-plugin-orchestrator-node';
import type { TerraformRunSummary, TerraformStateStore } from '../../database/TerraformStateStore';
import type { TerraformMessage } from './runTerraform';
import type { StateCipher } from './TerraformStateServer';

/** The parts of a Terraform state the driver reads. */
interface TerraformState {
  lineage?: string;
  serial?: number;
  outputs?: Record<string, { value: unknown; sensitive?: boolean }>;
}

/** The states Baton keeps, encrypted, and the last run of each resource: what the driver reads and adds. */
export class TerraformStates {
  constructor(
    private readonly store: TerraformStateStore,
    private readonly cipher: StateCipher,
  ) {}

  /** The outputs of the stored state: sensitive ones secret, lineage and serial as the cookie. */
  async outputs(guresid: string): Promise<DriverResult> {
    const ciphertext = await this.store.getState(guresid);
    const state = ciphertext ? (JSON.parse(this.cipher.decrypt<string>(ciphertext)) as TerraformState) : undefined;
    const outputs: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(state?.outputs ?? {})) {
      (output.sensitive ? secrets : outputs)[name] = output.value;
    }
    return { outputs, secrets, cookie: { lineage: state?.lineage, serial: state?.serial } };
  }

  async recordSummary(guresid: string, operation: TerraformRunSummary['operation'], messages: TerraformMessage[]) {
    const summary = messages.find(m => m.type === 'change_summary')?.changes;
    if (!summary) return;
    await this.store.putLastRun(guresid, {
      operation,
      add: summary.add ?? 0,
      change: summary.change ?? 0,
      destroy: summary.remove ?? 0,
      at: new Date().toISOString(),
    });
  }

  /** Stores a state Terraform could not save (`from` says whose), unless the stored one is as new. */
  async importState(ctx: DriverContext, text: string, from: string) {
    let state: TerraformState;
    try {
      state = JSON.parse(text);
    } catch {
      ctx.logger.error(`terraform: the state ${from} could not save is not JSON; it was not kept`);
      return;
    }
    const current = await this.store.getState(ctx.guresid);
    const known = current ? (JSON.parse(this.cipher.decrypt<string>(current)) as TerraformState) : undefined;
    if (known && known.lineage === state.lineage && (known.serial ?? 0) >= (state.serial ?? 0)) return;
    await this.store.putState(ctx.guresid, this.cipher.encrypt(text));
    ctx.logger.warn(`terraform: kept the state that ${from} could not save (serial ${state.serial})`);
  }
}
