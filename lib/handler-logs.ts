// The options of the log groups of every function and state machine the library creates in a stack; applied by
// lib/private/handler-log-groups.ts.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The log groups of the library's functions and state machines in a stack. Every model of a stack shares them: set
 * them once for the stack, with `CustomLabelsModel.configureStack(stack, { handlerLogs })`.
 *
 * @example
 * import { RemovalPolicy } from 'aws-cdk-lib';
 * import * as kms from 'aws-cdk-lib/aws-kms';
 * import * as logs from 'aws-cdk-lib/aws-logs';
 *
 * declare const logsKey: kms.Key;
 * const handlerLogs: HandlerLogsOptions = {
 *   retention: logs.RetentionDays.TWO_YEARS,
 *   removalPolicy: RemovalPolicy.DESTROY,
 *   encryptionKey: logsKey,
 * };
 */
export interface HandlerLogsOptions {
  /**
   * How long the log events are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR - the least AWS Control Tower's proactive control CT.CLOUDWATCH.PR.2 accepts
   */
  readonly retention?: logs.RetentionDays;

  /**
   * What happens to the log groups when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN - as aws-cdk-lib's LogGroup: the logs of a failed teardown outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The KMS key the log groups are encrypted with. The key's policy must let CloudWatch Logs use it: on a key of this
   * app the statement is added; on an imported key the construct warns.
   *
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
}
