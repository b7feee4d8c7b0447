export {
  planApplication,
  renderApplication,
  createBuiltInDrivers,
  type ApplicationPlan,
  type PlanApplicationOptions,
  type RenderedApplication,
} from './planApplication';
