// The handler bundle's entry point: one asset serves every function of the provider.
export { onEvent } from './on-event';
export { isComplete } from './is-complete';
export { onSchedule } from './on-schedule';
export { onGuard } from './stack-guard';
