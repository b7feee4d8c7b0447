export { buildResourceGraph, guresidOf, canonical, canonicalJson, type GraphNode, type ResourceGraph, type ResourceGraphOptions } from './ResourceGraph';
export { graphViewOf, diffGraphViews, workloadUsers, workloadUsersInSlices, type GraphView, type GraphDiff } from './graphViews';
