export { DefinitionIndex, BUILT_IN_DEFINITIONS, type DefinitionMatch } from './DefinitionIndex';
