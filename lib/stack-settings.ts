// Settings that act on every model of a stack, set once per stack with CustomLabelsModel.configureStack().
import { HandlerLogsOptions } from './handler-logs';

/**
 * What every model of a stack shares: the library's functions, state machines and their log groups. Set once per
 * stack, before or after its models are declared.
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import * as logs from 'aws-cdk-lib/aws-logs';
 *
 * const stack = new Stack(new App(), 'WidgetsStack');
 * CustomLabelsModel.configureStack(stack, { handlerLogs: { retention: logs.RetentionDays.TWO_YEARS } });
 */
export interface CustomLabelsStackSettings {
  /**
   * The log groups of the library's functions and state machines in the stack.
   *
   * @default - kept one year, retained when the stack is deleted, CloudWatch Logs' own encryption
   */
  readonly handlerLogs?: HandlerLogsOptions;
}
