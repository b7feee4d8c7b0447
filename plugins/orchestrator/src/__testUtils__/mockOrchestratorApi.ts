import { NotFoundError } from '@backstage/errors';
import { OrchestratorApi } from '../api';

const nothingToDo = async () => {
  throw new NotFoundError('not in this test');
};

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
    planRollback: nothingToDo,
    rollback: nothingToDo,
    planPromotion: nothingToDo,
    promote: nothingToDo,
    getDrift: async () => undefined,
    deprovisionResource: nothingToDo,
    ...overrides,
  };
}
