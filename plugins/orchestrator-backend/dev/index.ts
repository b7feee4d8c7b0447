import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';

// Runs the orchestrator alone (`yarn start` in this package) with mocked auth,
// so requests need no token:
//   curl http://localhost:7007/api/orchestrator/health
const backend = createBackend();
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(import('../src'));
backend.start();
