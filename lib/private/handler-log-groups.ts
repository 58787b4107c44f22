// The log groups of every function and state machine the library creates in a stack (the handlers, the stack guard,
// the scheduled path, the Provider framework's functions and its waiter), and the one place their retention, removal
// policy and encryption key are set.
import { Annotations, ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { HandlerLogsOptions } from '../handler-logs';
import { validationError } from './errors';

const DEFAULT_RETENTION = logs.RetentionDays.ONE_YEAR;

/** The library's log groups in one stack, created with the defaults and reconfigured by the stack's settings. */
export class HandlerLogGroups {
  private readonly groups: logs.LogGroup[] = [];
  private options?: HandlerLogsOptions;

  /** A log group for one function or state machine of the library. */
  public create(scope: Construct, id: string): logs.LogGroup {
    const group = new logs.LogGroup(scope, id, { retention: DEFAULT_RETENTION, removalPolicy: RemovalPolicy.RETAIN });
    this.groups.push(group);
    if (this.options) applyTo(group, this.options);
    return group;
  }

  /** Sets the options of every log group, those created and those to come (CustomLabelsModel.configureStack). */
  public configure(scope: IConstruct, options: HandlerLogsOptions): void {
    if (options.removalPolicy !== undefined && options.removalPolicy !== RemovalPolicy.DESTROY && options.removalPolicy !== RemovalPolicy.RETAIN) {
      throw validationError('InvalidHandlerLogs', scope, `handlerLogs.removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got ${options.removalPolicy}`);
    }
    this.options = options;
    for (const group of this.groups) applyTo(group, options);
    if (options.encryptionKey) allowLogsToUse(options.encryptionKey, scope);
  }
}

function applyTo(group: logs.LogGroup, options: HandlerLogsOptions): void {
  const cfn = group.node.defaultChild as logs.CfnLogGroup;
  const retention = options.retention ?? DEFAULT_RETENTION;
  cfn.retentionInDays = retention === logs.RetentionDays.INFINITE ? undefined : retention;
  if (options.encryptionKey) cfn.kmsKeyId = options.encryptionKey.keyArn;
  cfn.applyRemovalPolicy(options.removalPolicy ?? RemovalPolicy.RETAIN);
}

/** The key policy statement CloudWatch Logs needs to encrypt a log group (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS"). */
function allowLogsToUse(key: kms.IKey, model: IConstruct): void {
  const stack = Stack.of(model);
  const region = stack.region;
  const shown = Token.isUnresolved(region) ? '<region>' : region;
  const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
  if (!statementAdded) {
    Annotations.of(model).addWarningV2('cdk-rekognition-custom-labels:handlerLogsKey',
      `handlerLogs.encryptionKey is imported, so its policy cannot be changed here: it must allow logs.${shown}.amazonaws.com to use it (kms:Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey*, Describe*), or the log groups fail to create`);
  }
}
