export { buildResourceGraph, guresidOf, canonical, type GraphNode, type ResourceGraph } from './ResourceGraph';
