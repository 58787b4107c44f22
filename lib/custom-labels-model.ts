import { Annotations, CustomResource, Duration, Fn, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CustomLabelsProvider } from './custom-labels-provider';
import { parseProjectVersionArn, projectArnMatchesVersion, PROJECT_ARN_FORMAT, VERSION_ARN_FORMAT } from './private/project-version-arn';
import { ATTR, PROP, REMOVAL, RESOURCE_TYPE, TIMEOUT_BOUNDS } from './private/resource-properties';

/**
 * Properties of a CustomLabelsModel.
 */
export interface CustomLabelsModelProps {
  /**
   * The ARN of the trained model (project version) to run:
   * `arn:aws:rekognition:<region>:<account>:project/<project>/version/<version>/<timestamp>`.
   */
  readonly projectVersionArn: string;

  /**
   * The ARN of the model's project. The project ARN cannot be cut out of the version ARN (it has its own creation
   * timestamp), so without it the handler finds it at deploy time with DescribeProjects.
   *
   * @default - found at deploy time with DescribeProjects (granted on `*`, as that action cannot be scoped)
   */
  readonly projectArn?: string;

  /**
   * The number of inference units the model always runs with. An integer >= 1. Rekognition recommends at least 2
   * for production models, so that the units span Availability Zones.
   *
   * @default 1
   */
  readonly minInferenceUnits?: number;

  /**
   * The most inference units Rekognition may scale the model to. When set, Rekognition autoscales between
   * `minInferenceUnits` and this; an integer >= `minInferenceUnits`.
   *
   * @default - no autoscaling: the model runs with `minInferenceUnits`
   */
  readonly maxInferenceUnits?: number;

  /**
   * What happens to the running model when this construct or its stack is deleted. DESTROY stops the model and
   * waits until it is STOPPED; RETAIN leaves it running. A version replaced by an update, and a model whose create
   * is rolled back, are stopped whatever this says.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a deploy may wait for the model to reach the requested state before it fails with the model's
   * status. Starting a model takes minutes (up to about 30); an update that changes units stops the model and
   * starts it again, so it needs both. From 1 to 55 minutes: CloudFormation waits an hour at most, and the
   * handler's own message must reach it first.
   *
   * @default Duration.minutes(45)
   */
  readonly timeout?: Duration;
}

/**
 * A trained Amazon Rekognition Custom Labels model, running as part of a stack.
 *
 * Deploying starts the model with the requested inference units and succeeds only once Rekognition reports it
 * RUNNING with them; an update that changes units restarts it; deleting stops it.
 */
export class CustomLabelsModel extends Construct {
  /** The ARN of the project version. */
  public readonly projectVersionArn: string;
  /** The name of the project. */
  public readonly projectName: string;
  /** The name of the version. */
  public readonly versionName: string;
  /** The ARN of the project: the prop, or the one found at deploy time. */
  public readonly projectArn: string;
  /** The inference units the model always runs with. */
  public readonly minInferenceUnits: number;
  /** The most inference units the model autoscales to; undefined when it does not autoscale. */
  public readonly maxInferenceUnits?: number;

  constructor(scope: Construct, id: string, props: CustomLabelsModelProps) {
    super(scope, id);
    const where = this.node.path;
    const versionArn = props.projectVersionArn;
    const parsed = Token.isUnresolved(versionArn) ? undefined : parseProjectVersionArn(versionArn);
    if (!Token.isUnresolved(versionArn) && !parsed) {
      throw new Error(`${where}: projectVersionArn must be a Rekognition project version ARN (${VERSION_ARN_FORMAT}), got "${versionArn}"`);
    }
    if (props.projectArn !== undefined && parsed && !Token.isUnresolved(props.projectArn) && !projectArnMatchesVersion(props.projectArn, parsed)) {
      throw new Error(`${where}: projectArn must be the ARN of project "${parsed.projectName}" in ${parsed.region}/${parsed.account} (${PROJECT_ARN_FORMAT}), got "${props.projectArn}"`);
    }
    const min = props.minInferenceUnits ?? 1;
    const max = props.maxInferenceUnits;
    validateUnits(where, 'minInferenceUnits', min);
    if (max !== undefined) {
      validateUnits(where, 'maxInferenceUnits', max);
      if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && max < min) {
        throw new Error(`${where}: maxInferenceUnits (${max}) must be >= minInferenceUnits (${min})`);
      }
    }
    const timeout = props.timeout ?? Duration.minutes(45);
    const timeoutSeconds = timeout.toSeconds();
    if (!Token.isUnresolved(timeoutSeconds) && (!Number.isInteger(timeoutSeconds) || timeoutSeconds < TIMEOUT_BOUNDS.minSeconds || timeoutSeconds > TIMEOUT_BOUNDS.maxSeconds)) {
      throw new Error(`${where}: timeout must be a whole number of seconds from 1 minute to 55 minutes (CloudFormation waits at most 60), got ${timeout.toHumanString()}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    if (removalPolicy !== RemovalPolicy.DESTROY && removalPolicy !== RemovalPolicy.RETAIN) {
      throw new Error(`${where}: removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got ${removalPolicy}`);
    }
    if (!Token.isUnresolved(min) && min < 2) {
      Annotations.of(this).addWarningV2('cdk-rekognition-custom-labels:singleInferenceUnit',
        `minInferenceUnits is ${min}: Rekognition recommends at least 2 inference units for production models, so that they span Availability Zones. Acknowledge this warning for development models.`);
    }

    const provider = CustomLabelsProvider.of(this);
    const duplicate = provider.registerModel({ projectVersionArn: versionArn, projectArn: props.projectArn }, where);
    if (duplicate) throw new Error(`${where}: projectVersionArn ${duplicate}`);

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      // CloudFormation's maximum: a Delete waits for STOPPED as long as it may; a Create or Update fails earlier, at
      // the handler's own deadline (the timeout prop), with the model's status as the reason.
      serviceTimeout: Duration.hours(1),
      properties: {
        [PROP.projectVersionArn]: versionArn,
        [PROP.projectArn]: props.projectArn,
        [PROP.minInferenceUnits]: Token.isUnresolved(min) ? min : String(min),
        [PROP.maxInferenceUnits]: max === undefined || Token.isUnresolved(max) ? max : String(max),
        [PROP.removalPolicy]: removalPolicy === RemovalPolicy.RETAIN ? REMOVAL.retain : REMOVAL.destroy,
        [PROP.timeoutSeconds]: Token.isUnresolved(timeoutSeconds) ? timeoutSeconds : String(timeoutSeconds),
      },
    });

    this.projectVersionArn = versionArn;
    this.projectName = parsed ? parsed.projectName : Fn.select(1, Fn.split('/', versionArn));
    this.versionName = parsed ? parsed.versionName : Fn.select(3, Fn.split('/', versionArn));
    this.projectArn = props.projectArn ?? resource.getAttString(ATTR.projectArn);
    this.minInferenceUnits = min;
    this.maxInferenceUnits = max;
  }

  /**
   * Grants permission to analyze images with this model (rekognition:DetectCustomLabels on the version ARN).
   */
  public grantDetectCustomLabels(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['rekognition:DetectCustomLabels'], resourceArns: [this.projectVersionArn] });
  }
}

function validateUnits(where: string, prop: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${where}: ${prop} must be an integer >= 1, got ${value}`);
  }
}
