export * from './types';
export { scoreWorkloadSchema } from './schema';
export {
  parseScore,
  parseScoreResult,
  validateScoreWorkload,
  type ScoreParseResult,
} from './validateScore';
