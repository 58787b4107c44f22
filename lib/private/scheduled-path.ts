// The stack's scheduled path for batch windows: one function that takes one reconcile step (lambda/handlers/on-schedule.ts),
// a waiter state machine that calls it after each window boundary until the model has converged, and the alarm on
// their failures. Shared by every model of the stack that has batch windows; created by the provider on first use.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { handlerFunction, HandlerResources } from './handler-functions';
import { acknowledgeScheduledPath } from './nag-acknowledgements';

/** How often the scheduled waiter looks at a model while it converges after a window boundary. */
const SCHEDULED_POLL = Duration.seconds(30);
/** How long the scheduled waiter tries before its execution fails (and is alarmed): a stop plus a slow start. */
const SCHEDULED_TIMEOUT = Duration.minutes(90);

/** The stack's scheduled path: shared by every model of the stack that has batch windows. */
export interface ScheduledPath {
  /** Called every few minutes by each model's safety-net schedule. */
  readonly function: lambda.IFunction;
  /** Started at each window boundary; polls the function until the model has converged. */
  readonly waiter: sfn.StateMachine;
  /** Where failed periodic invocations and undeliverable schedule events end up. */
  readonly deadLetterQueue: sqs.Queue;
  /** The role EventBridge Scheduler assumes: it may invoke only this function and start only this waiter. */
  readonly schedulerRole: iam.Role;
}

/** Creates the stack's scheduled path in the provider's scope. */
export function createScheduledPath(scope: Construct, resources: HandlerResources): ScheduledPath {
  const { deadLetterQueue, schedulerRole } = resources;
  // Periodic calls are asynchronous: Lambda retries a failure twice, then the event lands in the queue.
  const fn = handlerFunction(scope, 'OnSchedule', resources, deadLetterQueue);
  const step = new tasks.LambdaInvoke(scope, 'Reconcile', {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({ 'model.$': '$.model' }),
    payloadResponseOnly: true,
    resultPath: '$.result',
  });
  // A thrown step (a start that ended FAILED, access denied) is retried, then fails the execution: alarmed.
  step.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(30), maxAttempts: 3, backoffRate: 2 });
  const converged = new sfn.Choice(scope, 'Converged?')
    .when(sfn.Condition.booleanEquals('$.result.converged', true), new sfn.Succeed(scope, 'Converged'))
    .otherwise(new sfn.Wait(scope, 'Wait', { time: sfn.WaitTime.duration(SCHEDULED_POLL) }).next(step));
  const waiter = new sfn.StateMachine(scope, 'ScheduleWaiter', {
    definitionBody: sfn.DefinitionBody.fromChainable(step.next(converged)),
    timeout: SCHEDULED_TIMEOUT,
    comment: 'Polls a Rekognition Custom Labels model after a batch-window boundary until it has converged',
    tracingEnabled: true,
    logs: {
      destination: resources.logGroups.create(scope, 'ScheduleWaiterLogs'),
      level: sfn.LogLevel.ALL,
      includeExecutionData: false,
    },
  });
  acknowledgeScheduledPath(waiter, schedulerRole, fn);
  return { function: fn, waiter, deadLetterQueue, schedulerRole };
}

/** One alarm for the stack's batch-window transitions: a waiter execution that failed or timed out. */
export function scheduledFailureAlarm(scope: Construct, path: ScheduledPath): cloudwatch.Alarm {
  // Failures counted as they happen (per period), so that each new one notifies and the alarm returns to OK by itself.
  return new cloudwatch.Alarm(scope, 'ScheduledTransitionsFailed', {
    alarmDescription: 'A batch-window transition of a Rekognition Custom Labels model failed: see the scheduled waiter\'s failed and timed-out executions',
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
      usingMetrics: {
        failed: path.waiter.metricFailed({ statistic: cloudwatch.Stats.SUM }),
        timedOut: path.waiter.metricTimedOut({ statistic: cloudwatch.Stats.SUM }),
      },
      period: Duration.minutes(5),
      label: 'Failed scheduled transitions',
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/**
 * One alarm for the stack's dead-letter queue: a periodic call (the stack guard, a batch-window safety net) that
 * failed after Lambda's retries, or a schedule event Scheduler could not deliver.
 */
export function deadLetterAlarm(scope: Construct, deadLetterQueue: sqs.IQueue): cloudwatch.Alarm {
  // Messages sent per period, not what stays visible: a dead letter is kept 14 days, and an alarm on the queue's depth
  // would stay in ALARM that long and notify nobody of the next failure. Lambda's on-failure destination and
  // Scheduler send their messages (a redrive would not count). 20 minutes of periods, so that the datapoint of a queue
  // SQS had not seen active for a while, published up to 15 minutes late, still lands in the window.
  return new cloudwatch.Alarm(scope, 'ScheduledCallsFailed', {
    alarmDescription: 'A scheduled call of the Rekognition Custom Labels stack guard or scheduled path failed, or a schedule could not deliver its event: see the dead-letter queue',
    metric: deadLetterQueue.metricNumberOfMessagesSent({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 4,
    datapointsToAlarm: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
