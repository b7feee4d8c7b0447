import { NotFoundError } from '@backstage/errors';
import { OrchestratorApi } from '../api';

const nothingToDo = async () => {
  throw new NotFoundError('not in this test');
};
import { ResourceDefinitionView } from '@baton/backstage-plugin-orchestrator-common';

/** A definition as the API shows it, stored through the API at revision 1. */
export function definitionView(id: string, spec: Record<string, unknown>): ResourceDefinitionView {
  return { apiVersion: 'baton.dev/v1', kind: 'ResourceDefinition', metadata: { id }, spec, source: 'api', revision: 1 };
}

/** An orchestrator client answering from memory, with the given methods replaced. */
export function mockOrchestratorApi(overrides: Partial<OrchestratorApi> = {}): OrchestratorApi {
  return {
    getHealth: async () => ({ status: 'ok' }),
    listResourceTypes: async () => [],
    listEnvironments: async () => [],
    getGraph: async () => undefined,
    listResources: async () => [],
    listDeployments: async () => ({ items: [] }),
    getDeployment: nothingToDo,
    getDeploymentLog: async () => [],
    getDeploymentManifests: async () => undefined,
    getProposedManifests: async () => undefined,
    getDeploymentPlan: async () => undefined,
    planRollback: nothingToDo,
    rollback: nothingToDo,
    planPromotion: nothingToDo,
    promote: nothingToDo,
    decideDeployment: nothingToDo,
    getDrift: async () => undefined,
    deprovisionResource: nothingToDo,
    listDefinitions: async () => [],
    listDrivers: async () => [],
    getDefinition: async id => {
      throw new Error(`No resource definition ${id}`);
    },
    putDefinition: async id => {
      throw new Error(`No resource definition ${id}`);
    },
    listAllResources: async () => [],
    explain: async query => ({
      type: query.type,
      class: query.class ?? 'default',
      resId: query.resId,
      context: { appId: query.app, envId: query.env, envType: query.envType ?? '' },
      chosen: null,
      candidates: [],
    }),
    listEnvironmentTypes: async () => [],
    listApps: async () => [],
    createEnvironment: async (app, env, options) => ({
      appId: app,
      id: env,
      type: options.type,
      deployMode: 'gitops',
      createdAt: new Date(0).toISOString(),
    }),
    deleteEnvironment: async () => {},
    setEnvironmentTtl: nothingToDo,
    listAllDeployments: async () => [],
    ...overrides,
  };
}
