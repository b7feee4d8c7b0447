export { loadDefinitionFiles } from './loadDefinitionFiles';
export { driverInputDiagnostics } from './driverInputDiagnostics';
