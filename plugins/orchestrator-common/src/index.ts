/**
 * Types, schemas and validation shared by Baton's packages: Score workloads,
 * resource definitions, plans and diagnostics.
 *
 * @packageDocumentation
 */
export * from './diagnostics';
export * from './score';
export * from './definitions';
export * from './plan';
export * from './annotations';
export * from './permissions';
export * from './events';
export * from './signals';
export * from './generated';
export * from './yaml/loadYaml';
export * from './placeholders';
