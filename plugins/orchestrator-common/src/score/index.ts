export * from './types';
export { scoreWorkloadSchema } from './schema';
export {
  parseScore,
  parseScoreResult,
  validateScoreWorkload,
  loadScoreValidator,
  type ScoreParseResult,
} from './validateScore';
export { scoreFieldLocator, type ScoreFieldLocator } from './scoreFieldLocator';
export { formatPath, type FieldPath } from '../yaml/YamlLocator';
export { resourceVariables, typesWithConventionalVariables } from './resourceVariables';
