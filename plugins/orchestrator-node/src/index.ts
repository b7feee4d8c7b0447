/**
 * Baton's engine: placeholders, matching, the resource graph, drivers and
 * Kubernetes rendering. Plain TypeScript with no Backstage imports, shared by
 * the CLI, the backend and tests.
 *
 * @packageDocumentation
 */
export * from './drivers';
export type * from './placeholders/types';
export * from './placeholders';
export * from './definitions';
export * from './matching';
export * from './graph';
export * from './execute';
export * from './render';
export * from './plan';
export * from './timeSlices';
export { deepFreeze } from './deepFreeze';
