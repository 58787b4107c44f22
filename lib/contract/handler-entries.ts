// The contract's handler entries: the functions the handler bundle (lambda/index.ts) exports and the construct names
// in each Lambda function's `handler` setting. Written once here, so that a rename on either side fails to compile.

/** The handler bundle's module: the build writes lambda/dist/index.js. */
const BUNDLE_MODULE = 'index';

/** The functions the bundle exports, one per Lambda function of the stack. */
export const HANDLER_NAMES = ['onEvent', 'isComplete', 'onSchedule', 'onGuard'] as const;
export type HandlerName = typeof HANDLER_NAMES[number];

/** A function's `handler` setting: `<module>.<export>`. */
export function handlerEntry(name: HandlerName): string {
  return `${BUNDLE_MODULE}.${name}`;
}
