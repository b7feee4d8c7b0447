export { EntityBatonCard } from './EntityBatonCard';
