export { EntityBatonContent } from './EntityBatonContent';
