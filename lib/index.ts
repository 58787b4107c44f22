// The library's public API: every public construct and type, re-exported from the file that defines it.
export * from './batch-window-cost';
export * from './batch-window-plan';
export * from './batch-windows';
export * from './cost-guard';
export * from './custom-labels-model-base';
export * from './custom-labels-model-props';
export * from './custom-labels-model';
export * from './demand';
export * from './handler-logs';
export * from './hold';
export * from './local-date';
export * from './stack-settings';
export * from './transition-events';
