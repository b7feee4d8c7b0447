export { planApplication, type ApplicationPlan, type PlanApplicationOptions } from './planApplication';
export { previewApplication, previewResults, type ApplicationPreview } from './previewApplication';
