export * from './custom-labels-model';
