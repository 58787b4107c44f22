export * from './batch-windows';
export * from './custom-labels-model';
