export { buildResourceGraph, guresidOf, canonical, type GraphNode, type ResourceGraph } from './ResourceGraph';
export { graphViewOf, diffGraphViews, workloadUsers, type GraphView, type GraphDiff } from './graphViews';
