/**
 * The `baton` command line.
 *
 * @packageDocumentation
 */
export { main } from './main';
