export { loadDefinitionFiles } from './loadDefinitionFiles';
