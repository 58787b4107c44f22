export * from './batch-windows';
export * from './custom-labels-model-base';
export * from './custom-labels-model';
export * from './handler-logs';
export type { BatchWindowCost } from './batch-window-cost';
export { BatchWindowPlanEventKind } from './batch-window-plan';
export type { BatchWindowPlan, BatchWindowPlanEntry, BatchWindowPlanOptions } from './batch-window-plan';
export type { CostGuardOptions } from './cost-guard';
export type { DemandOptions } from './demand';
