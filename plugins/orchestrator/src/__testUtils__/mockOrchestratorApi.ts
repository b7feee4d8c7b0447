import { OrchestratorApi } from '../api';

/** An orchestrator client answering from memory, with the given methods replaced. */
export function mockOrchestratorApi(overrides: Partial<OrchestratorApi> = {}): OrchestratorApi {
  return {
    getHealth: async () => ({ status: 'ok' }),
    listResourceTypes: async () => [],
    listEnvironments: async () => [],
    getGraph: async () => undefined,
    listResources: async () => [],
    ...overrides,
  };
}
