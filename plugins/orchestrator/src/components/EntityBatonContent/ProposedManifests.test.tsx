import { screen } from '@testing-library/react';
import { graph, shopApi } from '../../__testUtils__/batonTab';
import { LOADED, renderWaiting, waiting, waitingPlan } from '../../__testUtils__/awaitingApproval';

jest.setTimeout(60_000);

// Lines are matched as Testing Library reads them: leading and repeated spaces collapsed.

const MARKER = "'(known after provisioning: resources.db.host)'";
const current = { 'web.yaml': 'kind: Deployment\nimage: web:1\nenv:\n  - name: LOG\n    value: info\n' };
const proposed = {
  'web.yaml': `kind: Deployment\nimage: web:2\nenv:\n  - name: LOG\n    value: info\n  - name: DB_HOST\n    value: ${MARKER}\n`,
};

describe('the proposed manifests of a deployment awaiting approval', () => {
  it('shows their diff against what the environment runs, labelled proposed, with the values only provisioning tells marked', async () => {
    const getDeploymentManifests = jest.fn(async (_app: string, _env: string, id: string) => (id === 'd-42' ? current : undefined));
    await renderWaiting(
      shopApi({
        getDeployment: async () => waiting,
        getDeploymentPlan: async () => waitingPlan,
        getGraph: async () => ({ ...graph, deploymentId: 'd-42' }),
        getDeploymentManifests,
        getProposedManifests: async (_app, _env, id) => (id === 'd-50' ? { files: proposed, knownAfterProvisioning: ['postgres.default#modules.web.externals.db'] } : undefined),
      }),
    );
    expect(await screen.findByText(/^Proposed: what this deployment would deliver once approved, against what deployment d-42 delivered\./, {}, LOADED)).toBeInTheDocument();
    expect(screen.getByText('Changes it would make to the environment')).toBeInTheDocument();
    expect(screen.getByText(/told by provisioning postgres.default#modules.web.externals.db/)).toBeInTheDocument();
    expect(screen.getByText('- image: web:1')).toBeInTheDocument();
    expect(screen.getByText('+ image: web:2')).toBeInTheDocument();
    expect(screen.getByText(`+ value: ${MARKER}`)).toHaveStyle({ fontStyle: 'italic' });
    expect(screen.getByText('kind: Deployment')).toBeInTheDocument();
    expect(getDeploymentManifests).toHaveBeenCalledWith('shop', 'prod', 'd-42');
    expect(screen.queryByText('The manifests are rendered once the deployment is approved and runs.')).not.toBeInTheDocument();
  });

  it('shows what a rejected deployment had proposed, instead of saying it delivered nothing', async () => {
    const rejected = { ...waiting, status: 'rejected' as const, previousId: 'd-42', decidedBy: 'user:default/bob', finishedAt: '2026-01-03T10:05:00Z' };
    await renderWaiting(
      shopApi({
        getDeployment: async () => rejected,
        getDeploymentPlan: async () => waitingPlan,
        getGraph: async () => ({ ...graph, deploymentId: 'd-42' }),
        getDeploymentManifests: async (_app, _env, id) => (id === 'd-42' ? current : undefined),
        getProposedManifests: async (_app, _env, id) => (id === 'd-50' ? { files: proposed, knownAfterProvisioning: ['postgres.default#modules.web.externals.db'] } : undefined),
      }),
    );
    expect(await screen.findByText(/^Not delivered \(rejected\)\. What it proposed, against what deployment d-42 delivered:/, {}, LOADED)).toBeInTheDocument();
    expect(screen.getByText('+ image: web:2')).toBeInTheDocument();
    expect(screen.getByText(`+ value: ${MARKER}`)).toBeInTheDocument();
    expect(screen.queryByText('This deployment delivered no manifests.')).not.toBeInTheDocument();
  });

  it('says why when they could not be rendered', async () => {
    const why = "The proposed manifests could not be rendered: web: containers.main.variables.DB: invalid ref 'resources.db.port': key 'port' not found";
    await renderWaiting(
      shopApi({
        getDeployment: async () => waiting,
        getDeploymentPlan: async () => waitingPlan,
        getDeploymentLog: async () => [{ id: 1, createdAt: '2026-01-03T10:00:00Z', level: 'warn', message: why }],
      }),
    );
    expect(await screen.findByText(`${why}. The manifests are rendered once the deployment is approved and runs.`, {}, LOADED)).toBeInTheDocument();
  });
});
