// What every model has, whether this stack runs it or imports it by ARN: the ICustomLabelsModel interface, its grant and
// its metrics in the AWS/Rekognition namespace.
import { Duration, IResource, Resource, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A Rekognition Custom Labels model: one this stack runs (CustomLabelsModel), or one imported by ARN.
 */
export interface ICustomLabelsModel extends IResource {
  /** The ARN of the project version. */
  readonly projectVersionArn: string;
  /** The name of the project. */
  readonly projectName: string;
  /** The name of the version. */
  readonly versionName: string;

  /**
   * Grants permission to analyze images with this model: rekognition:DetectCustomLabels on the version ARN (for a
   * model this stack runs, on every version of its project, so that clients keep it through a version swap).
   */
  grantDetectCustomLabels(grantee: iam.IGrantable): iam.Grant;

  /**
   * A metric of this model in the AWS/Rekognition namespace, with its ProjectName and VersionName dimensions.
   * @default - Average over 5 minutes
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** The inference units in service (what is billed). @default - Average over 5 minutes */
  metricInServiceInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** The inference units autoscaling wants. @default - Average over 5 minutes */
  metricDesiredInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** The minimum inference units the model was started with. @default - Average over 5 minutes */
  metricMinInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** The maximum inference units the model was started with. @default - Average over 5 minutes */
  metricMaxInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Inference-unit hours used in each period: the Sum of InServiceInferenceUnits over the period, over 60.
   * Rekognition publishes one value a minute (the units in service that minute) while the model runs and nothing
   * while it is stopped, so a period with no datapoint used no inference-unit hours.
   */
  metricInferenceUnitHours(props?: InferenceUnitHoursOptions): cloudwatch.IMetric;
}

/** Options of the inference-unit hours expression. */
export interface InferenceUnitHoursOptions {
  /**
   * Label of the expression.
   * @default 'Inference-unit hours'
   */
  readonly label?: string;

  /**
   * The period of each datapoint: the inference-unit hours of one hour, one day, ...
   * @default Duration.hours(1)
   */
  readonly period?: Duration;
}

/** What grants and metrics of a model need, for a model of this stack or an imported one. */
export abstract class CustomLabelsModelBase extends Resource implements ICustomLabelsModel {
  public abstract readonly projectVersionArn: string;
  public abstract readonly projectName: string;
  public abstract readonly versionName: string;

  public grantDetectCustomLabels(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['rekognition:DetectCustomLabels'], resourceArns: [this.projectVersionArn] });
  }

  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      // A model of another region or account (an imported one) is read there: a cross-environment metric.
      ...this.metricEnvironment(),
      namespace: 'AWS/Rekognition',
      metricName,
      dimensionsMap: { ProjectName: this.projectName, VersionName: this.versionName },
      statistic: cloudwatch.Stats.AVERAGE,
      period: Duration.minutes(5),
      ...props,
    }).attachTo(this);
  }

  public metricInServiceInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InServiceInferenceUnits', props);
  }

  public metricDesiredInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DesiredInferenceUnits', props);
  }

  public metricMinInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('MinInferenceUnits', props);
  }

  public metricMaxInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('MaxInferenceUnits', props);
  }

  /** The model's region and account where they are known and are not its stack's. */
  private metricEnvironment(): { region?: string; account?: string } {
    const { region, account } = this.env;
    const stack = this.stack;
    // Known and not the stack's (an env-agnostic stack's region is a token: a known one is then given explicitly).
    const differs = (mine: string, theirs: string) => !Token.isUnresolved(mine) && mine !== theirs;
    return {
      ...(differs(region, stack.region) ? { region } : {}),
      ...(differs(account, stack.account) ? { account } : {}),
    };
  }

  public metricInferenceUnitHours(props: InferenceUnitHoursOptions = {}): cloudwatch.IMetric {
    const period = props.period ?? Duration.hours(1);
    return new cloudwatch.MathExpression({
      expression: 'units / 60',
      usingMetrics: { units: this.metricInServiceInferenceUnits({ period, statistic: cloudwatch.Stats.SUM }) },
      period,
      label: props.label ?? 'Inference-unit hours',
    });
  }

}

