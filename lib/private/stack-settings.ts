// The settings that act on every model of a stack (CustomLabelsModel.configureStack): held per stack, set once, and
// applied to the stack's provider now if a model has created it, or when the first model does.
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { CustomLabelsStackSettings } from '../stack-settings';
import { CustomLabelsProvider } from './custom-labels-provider';
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
  const provider = CustomLabelsProvider.existing(scope);
  if (provider && settings.handlerLogs) provider.configureLogs(scope, settings.handlerLogs);
}
