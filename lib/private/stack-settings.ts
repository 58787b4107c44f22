// The settings that act on every model of a stack (CustomLabelsModel.configureStack): held per stack and set once. The
// provider reads them when the first model creates it; configureStack() applies them to one that exists already.
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { CustomLabelsStackSettings } from '../stack-settings';
import { validationError } from './errors';

const settingsOf = new WeakMap<Stack, { readonly settings: CustomLabelsStackSettings; readonly by: string }>();

/** The stack's settings, if configureStack() gave some. */
export function stackSettings(scope: IConstruct): CustomLabelsStackSettings | undefined {
  return settingsOf.get(Stack.of(scope))?.settings;
}

/** Sets the stack's settings; a second call for the same stack is refused, naming where the first was made. */
export function configureStackSettings(scope: IConstruct, settings: CustomLabelsStackSettings): void {
  const stack = Stack.of(scope);
  const earlier = settingsOf.get(stack);
  if (earlier) {
    throw validationError('StackConfiguredTwice', scope,
      `configureStack: stack ${stack.node.path} was configured already (at ${earlier.by}); its settings act on every model of the stack, so they are set once`);
  }
  settingsOf.set(stack, { settings, by: scope.node.path || stack.node.path });
}
