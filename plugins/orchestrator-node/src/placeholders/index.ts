export type { PlaceholderLookup, ResolvedValue, ResourceReference } from './types';
export {
  substituteString,
  substituteValue,
  splitRefParts,
  lookupPath,
  lookupResourceOutput,
  scoreLookup,
  SubstitutionError,
  type ResourceOutputs,
} from './substitution';
export {
  parseResourceReference,
  findResourceReferences,
  resourceUid,
  definitionLookup,
  type DefinitionContext,
} from './definitionRefs';
export { knownAfterProvisioning } from './knownAfterProvisioning';
