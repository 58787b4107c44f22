export * from './batch-windows';
export * from './custom-labels-model-base';
export * from './custom-labels-model';
