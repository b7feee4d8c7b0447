export {
  planApplication,
  renderApplication,
  renderApplicationInSlices,
  type RenderApplicationOptions,
  createBuiltInDrivers,
  type ApplicationPlan,
  type PlanApplicationOptions,
  type RenderedApplication,
} from './planApplication';
