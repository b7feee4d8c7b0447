export { planApplication, type ApplicationPlan, type PlanApplicationOptions } from './planApplication';
