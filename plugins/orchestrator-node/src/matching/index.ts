export {
  DefinitionIndex,
  BUILT_IN_DEFINITIONS,
  matchDefinition,
  explainMatch,
  type DefinitionMatch,
} from './DefinitionIndex';
