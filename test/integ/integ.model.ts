// Integration test on a real AWS account (integ-runner, @aws-cdk/integ-tests-alpha); see the README's "Integration
// test on a real account". The model it runs is named by CUSTOM_LABELS_VERSION_ARN and CUSTOM_LABELS_PROJECT_ARN
// (model-under-test.ts); without them it synthesizes with obviously fake ARNs, for the offline snapshot check.
//
// Two test cases, which integ-runner runs one after the other in this order, on ONE CloudFormation stack:
//
// 1. "start" (the IntegTest's default test case): deploys the stack with 1 to 2 inference units and asserts that
//    DescribeProjectVersions answers RUNNING with MinInferenceUnits 1 and MaxInferenceUnits 2. Its destroy is disabled,
//    so that the stack is still up for case 2.
// 2. "change units" (an IntegTestCaseStack with the same stack name): deploys 2 to 3 units, which CloudFormation
//    applies as an UPDATE of the stack case 1 left running (the construct restarts the model with the new units), and
//    asserts RUNNING with 2 and 3. integ-runner then destroys every stack of the app, and the test case's postDestroy
//    hook (assert-stopped.ts) fails the test unless DescribeProjectVersions then says STOPPED. integ-tests' own
//    assertions live in a stack deployed after the test stack and destroyed with it, so they cannot see what a destroy
//    left behind: the hook checks that.
import { ExpectedResult, IDeployAssert, IntegTest, IntegTestCase, IntegTestCaseStack, Match } from '@aws-cdk/integ-tests-alpha';
import { Annotations, App, Duration, Stack } from 'aws-cdk-lib';
import { CustomLabelsModel } from '../../lib';
import { CHANGED_UNITS, modelUnderTest, STACK_NAME, START_UNITS, Units } from './model-under-test';

const { versionArn, projectArn } = modelUnderTest();

const app = new App();

function addModel(stack: Stack, units: Units): CustomLabelsModel {
  return new CustomLabelsModel(stack, 'Model', {
    projectVersionArn: versionArn,
    projectArn,
    minInferenceUnits: units.min,
    maxInferenceUnits: units.max,
    timeout: Duration.minutes(50),
  });
}

/** DescribeProjectVersions answers the version RUNNING with these units. */
function assertRunning(assertions: IDeployAssert, model: CustomLabelsModel, units: Units): void {
  assertions
    .awsApiCall('Rekognition', 'DescribeProjectVersions', {
      ProjectArn: projectArn,
      VersionNames: [model.versionName],
    })
    .expect(ExpectedResult.objectLike({
      ProjectVersionDescriptions: Match.arrayWith([
        Match.objectLike({
          ProjectVersionArn: versionArn,
          Status: 'RUNNING',
          MinInferenceUnits: units.min,
          MaxInferenceUnits: units.max,
        }),
      ]),
    }))
    // The construct's deploy succeeds only once the model is RUNNING with these units, so this should match at once;
    // the wait covers a describe that lags behind.
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
}

// Case 1: start the model.
const startStack = new Stack(app, 'Start', { stackName: STACK_NAME });
const startModel = addModel(startStack, START_UNITS);
Annotations.of(startModel).acknowledgeWarning('cdk-rekognition-custom-labels:singleInferenceUnit',
  'One unit keeps the test cheap; the change to 2 units follows.');

// Case 2: the same stack, other units.
const changeStack = new IntegTestCaseStack(app, 'ChangeUnits', {
  stackName: STACK_NAME,
  stackUpdateWorkflow: false,
  hooks: {
    // Run with the test directory as the working directory, after integ-runner's destroy of case 2.
    postDestroy: ['node -r ts-node/register/transpile-only assert-stopped.ts'],
  },
});
const changedModel = addModel(changeStack, CHANGED_UNITS);

const integ = new IntegTest(app, 'CustomLabelsModel', {
  testCases: [startStack, changeStack],
  // These apply to the default test case, case 1.
  stackUpdateWorkflow: false,
  cdkCommandOptions: { destroy: { enabled: false } },
});

assertRunning(integ.assertions, startModel, START_UNITS);
// IntegTestCaseStack.assertions (2.245.0-alpha.0) is a DeployAssert stack of its own that integ.json does not name, so
// integ-runner would never deploy it: the assertions must go to the test case's own assertion stack.
assertRunning(testCaseOf(changeStack).assertions, changedModel, CHANGED_UNITS);

function testCaseOf(stack: IntegTestCaseStack): IntegTestCase {
  const testCase = stack.node.children.find((child): child is IntegTestCase => child instanceof IntegTestCase);
  if (!testCase) {
    throw new Error(`${stack.node.path} has no IntegTestCase`);
  }
  return testCase;
}

app.synth();
