import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import { DeploymentRecord } from '../database/DeploymentStore';
import { DeploymentLease, LeaseLostError } from './DeploymentLease';
import { DeploymentQueue } from './DeploymentQueue';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: testDatabaseIds });
const migrationsDir = resolvePackagePath('@baton/backstage-plugin-orchestrator-backend', 'migrations');

/** Blocks the event loop, as CPU-heavy planning of a big deployment does. */
function blockFor(ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

describe.each(databases.eachSupportedId())('DeploymentQueue (%s)', id => {
  async function setup() {
    const knex = await databases.init(id);
    await knex.migrate.latest({ directory: migrationsDir });
    const store = await DatabaseDeploymentStore.create({ database: { getClient: async () => knex } });
    const queue = async (env: string) => {
      await store.putSet({ id: 'set', appId: 'shop', content: { workloads: [] } });
      return store.createDeployment({ id: randomUUID(), appId: 'shop', envId: env, setId: 'set', createdBy: 'user:default/a' });
    };
    const runners: DeploymentQueue[] = [];
    const runner = (options: Partial<ConstructorParameters<typeof DeploymentQueue>[0]> & Pick<ConstructorParameters<typeof DeploymentQueue>[0], 'run'>) => {
      const r = new DeploymentQueue({ deploymentStore: store, instanceId: 'replica-1', logger: mockServices.logger.mock(), pollMs: 20, ...options });
      runners.push(r);
      return r;
    };
    return { store, queue, runner, stopAll: () => Promise.all(runners.map(r => r.stop())) };
  }

  async function until(check: () => Promise<boolean>, ms = 10_000) {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise(r => setTimeout(r, 20));
    }
  }

  it('never fails a run of its own that blocked the event loop past the stale time', async () => {
    const { store, queue, runner, stopAll } = await setup();
    const d = await queue('dev');
    const statuses: string[] = [];
    const r = runner({
      renewMs: 50,
      staleAfterMs: 150,
      run: async (deployment, lease) => {
        for (let i = 0; i < 4; i++) {
          blockFor(250); // longer than staleAfterMs: renewals starve
          await new Promise(res => setTimeout(res, 60)); // the stale check gets its turn
          statuses.push((await store.getDeployment(deployment.id))!.status);
        }
        expect(lease.lost).toBe(false);
        await store.finishDeployment(deployment.id, lease.owner, { status: 'succeeded' });
      },
    });
    await r.start();
    await until(async () => (await store.getDeployment(d.id))?.status === 'succeeded');
    expect(statuses).toEqual(['running', 'running', 'running', 'running']);
    await stopAll();
  });

  it('runs deployments of different environments at once, up to its concurrency', async () => {
    const { store, queue, runner, stopAll } = await setup();
    const ids = [await queue('a'), await queue('b'), await queue('c'), await queue('a')].map(d => d.id);
    let active = 0;
    let most = 0;
    const order: string[] = [];
    const r = runner({
      concurrency: 2,
      run: async (deployment: DeploymentRecord, lease: DeploymentLease) => {
        active++;
        most = Math.max(most, active);
        order.push(`${deployment.envId}:start`);
        await new Promise(res => setTimeout(res, 100));
        order.push(`${deployment.envId}:end`);
        active--;
        await store.finishDeployment(deployment.id, lease.owner, { status: 'succeeded' });
      },
    });
    await r.start();
    await until(async () => (await Promise.all(ids.map(i => store.getDeployment(i)))).every(x => x?.status === 'succeeded'));
    expect(most).toBe(2);
    // Environment a's two deployments never overlap.
    const a = order.filter(o => o.startsWith('a:'));
    expect(a).toEqual(['a:start', 'a:end', 'a:start', 'a:end']);
    await stopAll();
  });

  it('tells a run that another replica took its environment, and the run cannot finish', async () => {
    const { store, queue, runner, stopAll } = await setup();
    const d = await queue('dev');
    let outcome: unknown;
    let release!: () => void;
    const stalled = new Promise<void>(res => (release = res));
    const r = runner({
      renewMs: 60_000,
      run: async (deployment, lease) => {
        await stalled;
        outcome = await lease.assertHeld().then(
          () => 'held',
          e => e,
        );
        outcome = [outcome, lease.signal.aborted, await store.finishDeployment(deployment.id, lease.owner, { status: 'succeeded' })];
      },
    });
    await r.start();
    await until(async () => (await store.getDeployment(d.id))?.status === 'running');
    // replica-2 sees a stale lock (its clock says so) and takes the deployment over.
    expect((await store.takeOverAbandoned({ owner: 'replica-2', staleAfterMs: -1, maxInterruptions: 1 })).map(a => a.id)).toEqual([d.id]);
    release();
    await until(async () => outcome !== undefined && Array.isArray(outcome));
    const [error, aborted, finished] = outcome as [unknown, boolean, boolean];
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(aborted).toBe(true);
    expect(finished).toBe(false);
    expect((await store.getDeployment(d.id))?.status).toBe('failed');
    await stopAll();
  });

  it('hands its running deployments back when it stops, and another runner runs them from the start', async () => {
    const { store, queue, runner, stopAll } = await setup();
    const d = await queue('dev');
    const runs: string[] = [];
    let sawAbort = false;
    const stopping = runner({
      // Far away: the stop ends because the run saw its signal, not because the grace ran out.
      stopGraceMs: 600_000,
      run: async (_deployment, lease) => {
        runs.push('replica-1');
        // A driver that keeps going until its signal says stop.
        await new Promise<void>(res => lease.signal.addEventListener('abort', () => res()));
        sawAbort = true;
      },
    });
    await stopping.start();
    await until(async () => runs.length === 1);
    await stopping.stop();
    expect(sawAbort).toBe(true);
    expect((await store.getDeployment(d.id))?.status).toBe('queued');

    const survivor = runner({
      instanceId: 'replica-2',
      run: async (deployment, lease) => {
        runs.push('replica-2');
        await store.finishDeployment(deployment.id, lease.owner, { status: 'succeeded' });
      },
    });
    await survivor.start();
    await until(async () => (await store.getDeployment(d.id))?.status === 'succeeded');
    expect(runs).toEqual(['replica-1', 'replica-2']);
    await stopAll();
  });

  it('takes over the run of a backend that stopped renewing, within the stale time and one renewal', async () => {
    const { store, queue, runner, stopAll } = await setup();
    const d = await queue('dev');
    // replica-1 claimed it and died: its lock is never renewed.
    await store.claimNext('replica-1');
    const claimedAt = Date.now();
    let tookOverAfter = 0;
    const taken: unknown[] = [];
    const survivor = runner({
      instanceId: 'replica-2',
      renewMs: 100,
      staleAfterMs: 400,
      onTakenOver: async abandoned => {
        taken.push(abandoned);
      },
      run: async (deployment, lease) => {
        tookOverAfter = Date.now() - claimedAt;
        await store.finishDeployment(deployment.id, lease.owner, { status: 'succeeded' });
      },
    });
    await survivor.start();
    await until(async () => (await store.getDeployment(d.id))?.status === 'succeeded');
    expect(taken).toEqual([{ id: d.id, owner: 'replica-1', outcome: 'queued', interruptions: 1 }]);
    expect(tookOverAfter).toBeGreaterThanOrEqual(400);
    await stopAll();
  });
});
