// The log groups of every function and state machine the library creates in a stack (the handlers, the stack guard,
// the scheduled path, the Provider framework's functions and its waiter), the one place their retention, removal
// policy and encryption key are set, and the log writes of the functions' roles, on these groups only.
import { Annotations, ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { HandlerLogsOptions } from '../handler-logs';
import { validationError } from './errors';

const DEFAULT_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * What a Lambda function's role needs to send its logs to a log group that exists (the AWS Lambda developer guide,
 * "Sending Lambda function logs to CloudWatch Logs": CreateLogGroup, CreateLogStream and PutLogEvents, the first only
 * for a group Lambda has to create, which the library's groups never are). Both act on log streams
 * (`arn:…:log-group:<name>:log-stream:<stream>`, the Service Authorization Reference), which the group's CloudFormation
 * Arn, `arn:…:log-group:<name>:*`, covers and no other group's streams.
 */
const LOG_WRITES = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** The library's log groups in one stack, created with the defaults and reconfigured by the stack's settings. */
export class HandlerLogGroups {
  private readonly groups: logs.LogGroup[] = [];
  /** Each role's one statement of log writes, on the groups of its functions. */
  private readonly writes = new Map<iam.IRole, iam.PolicyStatement>();
  private options?: HandlerLogsOptions;

  /** A log group for one function or state machine of the library. */
  public create(scope: Construct, id: string): logs.LogGroup {
    const group = new logs.LogGroup(scope, id, { retention: DEFAULT_RETENTION, removalPolicy: RemovalPolicy.RETAIN });
    this.groups.push(group);
    if (this.options) applyTo(group, this.options);
    return group;
  }

  /**
   * Lets a role's functions write their logs to this group of the library (logs:CreateLogStream and PutLogEvents on its
   * streams), in place of AWSLambdaBasicExecutionRole, which allows them on every log group of the account.
   */
  public allowWrites(role: iam.IRole, group: logs.LogGroup): void {
    let statement = this.writes.get(role);
    if (!statement) {
      statement = new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: LOG_WRITES });
      this.writes.set(role, statement);
      role.addToPrincipalPolicy(statement);
    }
    statement.addResources(group.logGroupArn);
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
