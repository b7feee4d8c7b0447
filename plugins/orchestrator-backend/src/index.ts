export { orchestratorPlugin as default } from './plugin';
