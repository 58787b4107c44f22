import * as path from 'path';
import { Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { parseProjectVersionArn } from './private/project-version-arn';

/** Where the handlers' JavaScript is, built by `npm run build` (scripts/build-handlers.js). */
export const HANDLER_ASSET_DIR = path.join(__dirname, '..', 'lambda', 'dist');

/** How often the Provider's waiter calls isComplete. Short, so a model is reported RUNNING within seconds. */
export const QUERY_INTERVAL = Duration.seconds(5);

/** The tag keys the handlers write: TagResource and UntagResource are granted on these only. */
const TAG_KEY_PATTERN = 'cdk-custom-labels:*';

/** What the provider needs to know of one model to grant its handlers access to it. */
export interface ModelGrantTarget {
  readonly projectVersionArn: string;
  /** The project ARN, when the user gave it. */
  readonly projectArn?: string;
}

/**
 * The one custom resource provider of a stack: every CustomLabelsModel in the stack shares its Lambda functions,
 * role and waiter state machine, and adds only its custom resource and IAM statements scoped to its project.
 */
export class CustomLabelsProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: Construct): CustomLabelsProvider {
    const stack = Stack.of(scope);
    const id = 'RekognitionCustomLabelsProvider';
    return (stack.node.tryFindChild(id) as CustomLabelsProvider | undefined) ?? new CustomLabelsProvider(stack, id);
  }

  public readonly serviceToken: string;
  /** The role of the onEvent and isComplete functions. */
  public readonly role: iam.Role;
  private readonly statementsByProject = new Map<string, { models: iam.PolicyStatement; tags: iam.PolicyStatement }>();
  private readonly declaredVersions = new Map<string, string>();
  private describeProjectsGranted = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Starts, stops and watches the Rekognition Custom Labels models declared in this stack',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    const code = lambda.Code.fromAsset(HANDLER_ASSET_DIR);
    const runtime = lambda.determineLatestNodeRuntime(this);
    const onEvent = new lambda.Function(this, 'OnEvent', {
      description: 'Rekognition Custom Labels models: claims a model for a CloudFormation request',
      runtime,
      code,
      handler: 'index.onEvent',
      role: this.role,
      timeout: Duration.minutes(5),
      // onEvent answers once, so its calls retry longer than isComplete's, which is polled again anyway.
      environment: { AWS_MAX_ATTEMPTS: '10', AWS_RETRY_MODE: 'adaptive' },
    });
    const isComplete = new lambda.Function(this, 'IsComplete', {
      description: 'Rekognition Custom Labels models: starts, stops and waits, one step per poll',
      runtime,
      code,
      handler: 'index.isComplete',
      role: this.role,
      timeout: Duration.minutes(2),
      environment: { AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'standard' },
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: Duration.hours(1),
    });
    this.serviceToken = provider.serviceToken;
    // Under RemovalPolicy.RETAIN a Delete reads its own stack's status, to tell a rollback from a removal.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Stack.of(this).stackId] }));
  }

  /**
   * Grants the handlers what they need for one model: start, stop and tag the version, describe the versions of its
   * project. One statement pair per project, whatever the number of its versions, to keep the role's policy small.
   * @returns an error message when the stack already declares this version
   */
  public registerModel(model: ModelGrantTarget, declaredBy: string): string | undefined {
    const versionArn = model.projectVersionArn;
    if (!Token.isUnresolved(versionArn)) {
      const other = this.declaredVersions.get(versionArn);
      if (other !== undefined) return `${versionArn} is already declared by ${other}; a stack can run a model once`;
      this.declaredVersions.set(versionArn, declaredBy);
    }
    const parsed = Token.isUnresolved(versionArn) ? undefined : parseProjectVersionArn(versionArn);
    // With a token ARN the project is cut out of it at deploy time: arn:...:project/<name>/version/...
    const prefix = parsed ? `arn:${parsed.partition}:rekognition:${parsed.region}:${parsed.account}:project` : Fn.select(0, Fn.split('/', versionArn));
    const projectName = parsed ? parsed.projectName : Fn.select(1, Fn.split('/', versionArn));
    const projectResource = model.projectArn ?? `${prefix}/${projectName}/*`;
    const key = parsed && (model.projectArn === undefined || !Token.isUnresolved(model.projectArn))
      ? `${prefix}/${projectName}|${model.projectArn ?? ''}`
      : `token:${this.statementsByProject.size}`;

    const existing = this.statementsByProject.get(key);
    if (existing) {
      existing.models.addResources(versionArn);
      existing.tags.addResources(versionArn);
    } else {
      const statements = {
        models: new iam.PolicyStatement({
          actions: ['rekognition:StartProjectVersion', 'rekognition:StopProjectVersion', 'rekognition:ListTagsForResource'],
          resources: [versionArn],
        }),
        tags: new iam.PolicyStatement({
          actions: ['rekognition:TagResource', 'rekognition:UntagResource'],
          resources: [versionArn],
          conditions: { 'ForAllValues:StringLike': { 'aws:TagKeys': [TAG_KEY_PATTERN] } },
        }),
      };
      this.role.addToPrincipalPolicy(statements.models);
      this.role.addToPrincipalPolicy(statements.tags);
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rekognition:DescribeProjectVersions'], resources: [projectResource] }));
      this.statementsByProject.set(key, statements);
    }
    if (model.projectArn === undefined && !this.describeProjectsGranted) {
      // DescribeProjects has no resource type: it cannot be scoped (AWS's own Custom Labels policies grant it on *).
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rekognition:DescribeProjects'], resources: ['*'] }));
      this.describeProjectsGranted = true;
    }
    return undefined;
  }
}
