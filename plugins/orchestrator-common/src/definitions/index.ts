export * from './types';
export { resourceDefinitionSchema } from './schema';
export { parseResourceDefinitions, checkDefinitionConflicts, criterionKey } from './parseDefinitions';
