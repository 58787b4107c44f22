import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, CfnResource, Duration, Errors, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CustomLabelsModel, CustomLabelsModelProps } from '../lib';
import { Construct } from 'constructs';

const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-01-05T10.00.00/1767607200000';
const PROJECT_ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/1767000000000';

function versionArn(project: string, version: string): string {
  return `arn:aws:rekognition:us-east-1:123456789012:project/${project}/version/${version}/1767607200000`;
}

function stack(): Stack {
  return new Stack(new App(), 'WidgetsStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** Every IAM statement of the stack's policies. */
function statements(s: Stack): { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> }[] {
  const t = Template.fromStack(s);
  const policies = [...Object.values(t.findResources('AWS::IAM::Policy')), ...Object.values(t.findResources('AWS::IAM::ManagedPolicy'))];
  return policies.flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: [] } } }).Properties.PolicyDocument.Statement);
}

function actionsOf(st: { Action: string | string[] }): string[] {
  return Array.isArray(st.Action) ? st.Action : [st.Action];
}

describe('the custom resource', () => {
  test('carries the model as string properties, with an hour for CloudFormation to wait', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, maxInferenceUnits: 5 });
    Template.fromStack(s).hasResourceProperties('Custom::RekognitionCustomLabelsModel', {
      ProjectVersionArn: ARN,
      MinInferenceUnits: '2',
      MaxInferenceUnits: '5',
      RemovalPolicy: 'destroy',
      TimeoutSeconds: '2700',
      ServiceTimeout: '3600',
    });
  });

  test('defaults: one unit, no max, destroy, 45 minutes', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN });
    const props = Object.values(Template.fromStack(s).findResources('Custom::RekognitionCustomLabelsModel'))[0].Properties;
    expect(props).toMatchObject({ MinInferenceUnits: '1', RemovalPolicy: 'destroy', TimeoutSeconds: '2700' });
    expect(props.MaxInferenceUnits).toBeUndefined();
    expect(props.ProjectArn).toBeUndefined();
  });

  test('RETAIN is read by the handler, not mapped to the DeletionPolicy, so rollbacks still reach it', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, removalPolicy: RemovalPolicy.RETAIN, minInferenceUnits: 2 });
    Template.fromStack(s).hasResource('Custom::RekognitionCustomLabelsModel', {
      Properties: Match.objectLike({ RemovalPolicy: 'retain' }),
      DeletionPolicy: 'Delete',
    });
  });

  test('exposes the version ARN, names, units, and the project ARN (prop or found at deploy time)', () => {
    const s = stack();
    const a = new CustomLabelsModel(s, 'A', { projectVersionArn: ARN, projectArn: PROJECT_ARN, minInferenceUnits: 2, maxInferenceUnits: 4 });
    expect([a.projectVersionArn, a.projectName, a.versionName, a.projectArn, a.minInferenceUnits, a.maxInferenceUnits])
      .toEqual([ARN, 'widgets', 'widgets.2026-01-05T10.00.00', PROJECT_ARN, 2, 4]);
    const b = new CustomLabelsModel(s, 'B', { projectVersionArn: versionArn('widgets', 'v2'), minInferenceUnits: 2 });
    const logicalId = s.getLogicalId(b.node.findChild('Resource').node.defaultChild as CfnResource);
    expect(s.resolve(b.projectArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'ProjectArn'] });
  });

  test('a token ARN (a parameter) is accepted and its names are cut out at deploy time', () => {
    const s = stack();
    const param = new CfnParameter(s, 'ModelArn');
    const m = new CustomLabelsModel(s, 'Widgets', { projectVersionArn: param.valueAsString, minInferenceUnits: 2 });
    expect(s.resolve(m.versionName)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': ['/', { Ref: 'ModelArn' }] }] });
    const start = statements(s).find((st) => actionsOf(st).includes('rekognition:StartProjectVersion'));
    expect(start?.Resource).toEqual({ Ref: 'ModelArn' });
  });
});

describe('one provider per stack', () => {
  test('twenty models share the same functions, role and waiter', () => {
    const s = stack();
    for (let i = 0; i < 20; i++) new CustomLabelsModel(s, `Model${i}`, { projectVersionArn: versionArn(`project${i}`, 'v1'), minInferenceUnits: 2 });
    const t = Template.fromStack(s);
    t.resourceCountIs('Custom::RekognitionCustomLabelsModel', 20);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    t.resourceCountIs('AWS::Lambda::Function', 6); // onEvent, isComplete, the stack guard, and the framework's onEvent, isComplete, onTimeout
    const tokens = new Set(Object.values(t.findResources('Custom::RekognitionCustomLabelsModel')).map((r) => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
  });

  test('the handlers run on the latest Node.js runtime, from the prebuilt JavaScript, with their retry settings', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2 });
    const runtime = lambda.determineLatestNodeRuntime(s).name;
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Runtime: runtime, Environment: { Variables: { AWS_MAX_ATTEMPTS: '10', AWS_RETRY_MODE: 'standard' } } });
    t.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Runtime: runtime });
  });

  test('models in different stacks get their own provider', () => {
    const app = new App();
    const a = new Stack(app, 'A');
    const b = new Stack(app, 'B');
    new CustomLabelsModel(a, 'M', { projectVersionArn: ARN, minInferenceUnits: 2 });
    new CustomLabelsModel(b, 'M', { projectVersionArn: ARN, minInferenceUnits: 2 });
    Template.fromStack(a).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    Template.fromStack(b).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });
});

describe('IAM', () => {
  const ANY_VERSION = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rekognition:us-east-1:123456789012:project/*']] };
  const ANY_REGION_VERSION = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rekognition:*:123456789012:project/*']] };
  const TAG_KEYS = { 'ForAllValues:StringLike': { 'aws:TagKeys': ['cdk-custom-labels:*'] } };

  test('start and claim: only the declared versions, and only while no other stack owns them', () => {
    const s = stack();
    new CustomLabelsModel(s, 'A', { projectVersionArn: ARN, minInferenceUnits: 2 });
    new CustomLabelsModel(s, 'B', { projectVersionArn: versionArn('gadgets', 'v1'), minInferenceUnits: 2 });
    const west = ARN.replace('us-east-1', 'eu-west-1');
    new CustomLabelsModel(s, 'C', { projectVersionArn: west, minInferenceUnits: 2 });
    const start = statements(s).filter((x) => actionsOf(x).includes('rekognition:StartProjectVersion'));
    expect(start).toEqual([{
      Sid: 'StartDeclaredModels0',
      Effect: 'Allow',
      Action: ['rekognition:StartProjectVersion', 'rekognition:TagResource'],
      Resource: [ARN, versionArn('gadgets', 'v1')],
      Condition: {
        StringLikeIfExists: { 'aws:ResourceTag/cdk-custom-labels:owner': 'WidgetsStack/*', 'aws:RequestTag/cdk-custom-labels:owner': 'WidgetsStack/*' },
        StringEquals: { 'aws:RequestedRegion': 'us-east-1' },
        ...TAG_KEYS,
      },
    }, {
      // A model of another region: the stack's other-region owner value, and a request to another region than its own.
      Sid: 'StartDeclaredModelsInOtherRegions0',
      Effect: 'Allow',
      Action: ['rekognition:StartProjectVersion', 'rekognition:TagResource'],
      Resource: west,
      Condition: {
        StringLikeIfExists: { 'aws:ResourceTag/cdk-custom-labels:owner': 'WidgetsStack@us-east-1/*', 'aws:RequestTag/cdk-custom-labels:owner': 'WidgetsStack@us-east-1/*' },
        StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' },
        ...TAG_KEYS,
      },
    }]);
  });

  test('stop, record and release: any version whose ownership tag names this stack, declared or no longer declared', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2 });
    expect(statements(s)).toEqual(expect.arrayContaining([
      {
        Sid: 'StopOwnModels',
        Effect: 'Allow',
        Action: ['rekognition:StopProjectVersion', 'rekognition:TagResource'],
        Resource: ANY_VERSION,
        Condition: {
          StringLike: { 'aws:ResourceTag/cdk-custom-labels:owner': 'WidgetsStack/*' },
          StringLikeIfExists: { 'aws:RequestTag/cdk-custom-labels:owner': 'WidgetsStack/*' },
          ...TAG_KEYS,
        },
      },
      {
        Sid: 'ReleaseOwnModels',
        Effect: 'Allow',
        Action: 'rekognition:UntagResource',
        Resource: ANY_VERSION,
        Condition: { StringLikeIfExists: { 'aws:ResourceTag/cdk-custom-labels:owner': 'WidgetsStack/*' }, ...TAG_KEYS },
      },
      {
        Sid: 'StopOwnModelsInOtherRegions',
        Effect: 'Allow',
        Action: ['rekognition:StopProjectVersion', 'rekognition:TagResource'],
        Resource: ANY_REGION_VERSION,
        Condition: {
          StringLike: { 'aws:ResourceTag/cdk-custom-labels:owner': 'WidgetsStack@us-east-1/*' },
          StringLikeIfExists: { 'aws:RequestTag/cdk-custom-labels:owner': 'WidgetsStack@us-east-1/*' },
          ...TAG_KEYS,
        },
      },
      { Sid: 'ReadModels', Effect: 'Allow', Action: ['rekognition:DescribeProjectVersions', 'rekognition:ListTagsForResource'], Resource: ANY_REGION_VERSION },
      { Sid: 'FindProjects', Effect: 'Allow', Action: 'rekognition:DescribeProjects', Resource: '*' },
    ]));
  });

  test('never * as the resource of a Rekognition action, DescribeProjects aside, and Stop only with the ownership condition', () => {
    const s = stack();
    new CustomLabelsModel(s, 'A', { projectVersionArn: ARN, minInferenceUnits: 2 });
    const rekognition = statements(s).filter((st) => actionsOf(st).some((a) => a.startsWith('rekognition:')));
    expect(rekognition.filter((st) => st.Resource === '*').map(actionsOf)).toEqual([['rekognition:DescribeProjects']]);
    // The plain owner value on the stack's own region only; on any region, only the form with the stack's region.
    const stops = rekognition.filter((x) => actionsOf(x).includes('rekognition:StopProjectVersion'));
    expect(stops.map((st) => [st.Resource, st.Condition?.StringLike['aws:ResourceTag/cdk-custom-labels:owner']])).toEqual([
      [ANY_VERSION, 'WidgetsStack/*'],
      [ANY_REGION_VERSION, 'WidgetsStack@us-east-1/*'],
    ]);
  });

  test('many models in distinct projects: one ARN each, in statements that each fit a managed policy', () => {
    const s = stack();
    for (let i = 0; i < 120; i++) new CustomLabelsModel(s, `V${i}`, { projectVersionArn: versionArn(`project${i}`, 'v1'), minInferenceUnits: 2 });
    const start = statements(s).filter((x) => actionsOf(x).includes('rekognition:StartProjectVersion'));
    expect(start.flatMap((x) => x.Resource).sort()).toEqual(Array.from({ length: 120 }, (_, i) => versionArn(`project${i}`, 'v1')).sort());
    for (const st of start) expect(JSON.stringify(st).length).toBeLessThan(6_000);
  });

  test('the handlers read only their own stack', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2 });
    expect(statements(s)).toContainEqual({ Sid: 'ReadOwnStack', Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources'], Resource: { Ref: 'AWS::StackId' } });
  });

  test('grantDetectCustomLabels grants DetectCustomLabels on the versions of the model\'s project (an imported model: its version only)', () => {
    const s = stack();
    const model = new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2 });
    const imported = CustomLabelsModel.fromProjectVersionArn(s, 'Gadgets', 'arn:aws:rekognition:us-east-1:123456789012:project/gadgets/version/gadgets.v3/1767000000001');
    const role = new iam.Role(s, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    model.grantDetectCustomLabels(role);
    imported.grantDetectCustomLabels(role);
    Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }],
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'rekognition:DetectCustomLabels', Resource: `${ARN.slice(0, ARN.indexOf('/version/'))}/version/*` },
          { Effect: 'Allow', Action: 'rekognition:DetectCustomLabels', Resource: 'arn:aws:rekognition:us-east-1:123456789012:project/gadgets/version/gadgets.v3/1767000000001' },
        ],
      },
    });
  });
});

describe('synth-time validation names the prop and the allowed range', () => {
  const cases: [Partial<CustomLabelsModelProps>, string][] = [
    [{ projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/1767000000000' }, 'WidgetsStack/Widgets: projectVersionArn must be a Rekognition project version ARN (arn:<partition>:rekognition:<region>:<account>:project/<project name>/version/<version name>/<creation timestamp>), got "arn:aws:rekognition:us-east-1:123456789012:project/widgets/1767000000000"'],
    [{ projectVersionArn: 'widgets' }, 'projectVersionArn must be a Rekognition project version ARN'],
    [{ minInferenceUnits: 0 }, 'WidgetsStack/Widgets: minInferenceUnits must be an integer >= 1, got 0'],
    [{ minInferenceUnits: 1.5 }, 'WidgetsStack/Widgets: minInferenceUnits must be an integer >= 1, got 1.5'],
    [{ minInferenceUnits: 2, maxInferenceUnits: 0 }, 'WidgetsStack/Widgets: maxInferenceUnits must be an integer >= 1, got 0'],
    [{ minInferenceUnits: 3, maxInferenceUnits: 2 }, 'WidgetsStack/Widgets: maxInferenceUnits (2) must be >= minInferenceUnits (3)'],
    [{ timeout: Duration.seconds(30) }, 'WidgetsStack/Widgets: timeout must be a whole number of seconds from 1 minute to 55 minutes (CloudFormation waits at most 60), got 30 seconds'],
    [{ timeout: Duration.hours(1) }, 'WidgetsStack/Widgets: timeout must be a whole number of seconds from 1 minute to 55 minutes (CloudFormation waits at most 60), got 1 hour'],
    [{ replacementGracePeriod: Duration.minutes(31) }, "WidgetsStack/Widgets: replacementGracePeriod must be a whole number of seconds from 0 to 30 minutes (the replaced version must still stop within CloudFormation's hour), got 31 minutes"],
    [{ replacementGracePeriod: Duration.millis(1500) }, 'WidgetsStack/Widgets: replacementGracePeriod must be a whole number of seconds from 0 to 30 minutes'],
    [{ runningVersionParameterName: 'running-version' }, 'WidgetsStack/Widgets: runningVersionParameterName must be a hierarchical SSM parameter name: it begins with "/"'],
    [{ runningVersionParameterName: '/aws/widgets' }, 'runningVersionParameterName must be a hierarchical SSM parameter name'],
    [{ removalPolicy: RemovalPolicy.SNAPSHOT }, 'WidgetsStack/Widgets: removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got snapshot'],
    [{ projectArn: 'arn:aws:rekognition:us-east-1:123456789012:project/gadgets/1' }, 'WidgetsStack/Widgets: projectArn must be the ARN of project "widgets" in us-east-1/123456789012'],
  ];
  test.each(cases)('%o', (override, message) => {
    expect(() => new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, ...override })).toThrow(message);
  });

  test('the same version twice in one stack is refused', () => {
    const s = stack();
    new CustomLabelsModel(s, 'A', { projectVersionArn: ARN, minInferenceUnits: 2 });
    expect(() => new CustomLabelsModel(s, 'B', { projectVersionArn: ARN, minInferenceUnits: 2 }))
      .toThrow(`WidgetsStack/B: projectVersionArn ${ARN} is already declared by WidgetsStack/A; a stack can run a model once`);
  });

  test('the edges of the ranges are accepted', () => {
    expect(() => new CustomLabelsModel(stack(), 'W', { projectVersionArn: ARN, minInferenceUnits: 1, maxInferenceUnits: 1, timeout: Duration.minutes(1) })).not.toThrow();
    expect(() => new CustomLabelsModel(stack(), 'W', { projectVersionArn: ARN, minInferenceUnits: 2, timeout: Duration.minutes(55) })).not.toThrow();
  });
});

describe('errors print like aws-cdk-lib\'s', () => {
  test('every synth-time error is aws-cdk-lib\'s ValidationError, attached to the construct', () => {
    const thrown = (f: () => unknown): unknown => {
      try { f(); } catch (e) { return e; }
      throw new Error('expected a throw');
    };
    for (const override of [{ minInferenceUnits: 0 }, { timeout: Duration.hours(1) }, { removalPolicy: RemovalPolicy.SNAPSHOT }, { costGuard: { dailyInferenceUnitHourBudget: 0 } }]) {
      const e = thrown(() => new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, ...override }));
      expect(Errors.isValidationError(e)).toBe(true);
      expect((e as { constructPath?: string }).constructPath).toBe('WidgetsStack/Widgets');
    }
  });

  test('the CLI prints a bad prop as one line with the construct path, and no code frame out of sources the package does not ship', () => {
    // The compiled library as a consumer gets it (npm test builds it first), run by the pinned CLI.
    const root = path.join(__dirname, '..');
    const compiled = path.join(root, 'lib', 'custom-labels-model.js');
    expect(fs.readFileSync(compiled, 'utf8')).not.toContain('sourceMappingURL');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-error-'));
    fs.writeFileSync(path.join(dir, 'app.js'), [
      `const { App, Stack } = require(${JSON.stringify(require.resolve('aws-cdk-lib'))});`,
      `const { CustomLabelsModel } = require(${JSON.stringify(path.join(root, 'lib', 'index.js'))});`,
      "const app = new App();",
      "new CustomLabelsModel(new Stack(app, 'Shop'), 'Widgets', { projectVersionArn: " + JSON.stringify(ARN) + ", minInferenceUnits: 0 });",
      'app.synth();',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node app.js', 'cli-telemetry': false, notices: false }));
    const cli = spawnSync(process.execPath, [path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--quiet'],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toContain('«InvalidInferenceUnits» Shop/Widgets: minInferenceUnits must be an integer >= 1, got 0');
    expect(cli.stderr).toContain('Relates to construct:');
    expect(cli.stderr).not.toMatch(/\.ts:\d+/);
  });
});

describe('warnings', () => {
  test('fewer than 2 units warns, acknowledgeably', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 1 });
    Annotations.fromStack(s).hasWarning('/WidgetsStack/Widgets', Match.stringLikeRegexp('minInferenceUnits is 1: Rekognition recommends at least 2 inference units.*\\[ack: cdk-rekognition-custom-labels:singleInferenceUnit\\]'));
  });

  test('2 units or more: no warning', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2 });
    Annotations.fromStack(s).hasNoWarning('*', Match.anyValue());
  });
});

describe('removal policy, as aws-cdk-lib resources take it', () => {
  test('applyRemovalPolicy() sets what removalPolicy sets, and refuses the others with the prop\'s message', () => {
    for (const [policy, property, initial] of [[RemovalPolicy.RETAIN, 'retain', undefined], [RemovalPolicy.DESTROY, 'destroy', RemovalPolicy.RETAIN]] as const) {
      const s = stack();
      const m = new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, removalPolicy: initial });
      m.applyRemovalPolicy(policy);
      Template.fromStack(s).hasResourceProperties('Custom::RekognitionCustomLabelsModel', { RemovalPolicy: property });
    }
    const m = new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2 });
    expect(() => m.applyRemovalPolicy(RemovalPolicy.SNAPSHOT))
      .toThrow('WidgetsStack/Widgets: removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got snapshot');
  });
});

describe('the shape of the props', () => {
  test('every optional capability is one option object', () => {
    const jsii = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8')) as {
      types: Record<string, { kind: string; properties?: { name: string; optional?: boolean; type: { primitive?: string; fqn?: string } }[] }>;
    };
    const props = jsii.types['cdk-rekognition-custom-labels.CustomLabelsModelProps'].properties!;
    // No switch beside its settings: no boolean prop at all, and no prop named after another (holdParameterName beside hold).
    expect(props.filter((p) => p.type.primitive === 'boolean').map((p) => p.name)).toEqual([]);
    const names = props.map((p) => p.name);
    expect(names.filter((n) => names.some((other) => other !== n && n.startsWith(other)))).toEqual([]);
    // Each capability is one optional prop whose type is a struct or class of its own.
    const capabilities = Object.fromEntries(props.filter((p) => ['batchWindows', 'costGuard', 'demand', 'hold'].includes(p.name)).map((p) => [p.name, p]));
    for (const name of ['batchWindows', 'costGuard', 'demand', 'hold']) {
      expect({ name, optional: capabilities[name]?.optional, kind: jsii.types[capabilities[name]?.type.fqn ?? '']?.kind }).toEqual({ name, optional: true, kind: expect.stringMatching(/^(interface|class)$/) });
    }
  });
});

describe('the running-version parameter', () => {
  test('named after the stack and the model\'s construct path, its value the model resource\'s Ref, readable by grantReadRunningVersion', () => {
    const s = stack();
    const model = new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN });
    const reader = new iam.Role(s, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    model.grantReadRunningVersion(reader);
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/rekognition-custom-labels/WidgetsStack/Widgets/running-version', Type: 'String', Value: { Ref: 'Widgets3DFF681B' } });
    const reads = statements(s).filter((st) => actionsOf(st).includes('ssm:GetParameter'));
    expect(reads).toHaveLength(1);
    // parameter<name>: the parameter's Ref is its name, which begins with "/".
    expect(reads[0].Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter', { Ref: 'WidgetsRunningVersion76E29599' }]] });
  });

  test('the default parameter names are readable paths', () => {
    const s = stack();
    const team = new Construct(s, 'Team');
    const batch = new CustomLabelsModel(team, 'Batch Model', { projectVersionArn: ARN, hold: {} });
    const plain = new CustomLabelsModel(s, 'Widgets', { projectVersionArn: versionArn('gadgets', 'gadgets.v1') });
    // The construct path in the stack, not a hash: what an operator types, and what the model tells.
    expect([batch.holdParameterName, batch.runningVersionParameterName, plain.holdParameterName, plain.runningVersionParameterName]).toEqual([
      '/rekognition-custom-labels/WidgetsStack/Team/Batch-Model/hold',
      '/rekognition-custom-labels/WidgetsStack/Team/Batch-Model/running-version',
      undefined,
      '/rekognition-custom-labels/WidgetsStack/Widgets/running-version',
    ]);
    const t = Template.fromStack(s);
    for (const name of [batch.holdParameterName, batch.runningVersionParameterName, plain.runningVersionParameterName]) t.hasResourceProperties('AWS::SSM::Parameter', { Name: name });
    t.hasResourceProperties('Custom::RekognitionCustomLabelsModel', { HoldParameterName: batch.holdParameterName });

    // Within SSM's limits: 15 levels (deeper paths are joined with "."), 1,011 characters (longer ones cut, with a hash).
    let deep: Construct = new Construct(stack(), 'L1');
    for (let i = 2; i <= 20; i++) deep = new Construct(deep, `L${i}`);
    const deepName = new CustomLabelsModel(deep, 'Model', { projectVersionArn: ARN }).runningVersionParameterName;
    expect(deepName).toBe('/rekognition-custom-labels/WidgetsStack/L1/L2/L3/L4/L5/L6/L7/L8/L9/L10/L11/L12.L13.L14.L15.L16.L17.L18.L19.L20.Model/running-version');
    expect(deepName.split('/').length - 1).toBe(15);
    let long: Construct = stack();
    for (let i = 0; i < 10; i++) long = new Construct(long, `${'x'.repeat(120)}${i}`);
    const longName = new CustomLabelsModel(long, 'Model', { projectVersionArn: ARN }).runningVersionParameterName;
    expect(longName.length).toBeLessThanOrEqual(1011);
    expect(longName).toMatch(/^\/rekognition-custom-labels\/WidgetsStack\/x{120}0\/.*-[0-9a-f]{16}\/running-version$/);
  });

  test('in a nested stack (a token stack name) and with a token name, the ARN is still parameter<name>', () => {
    const parent = stack();
    const nested = new NestedStack(parent, 'Nested');
    const inNested = new CustomLabelsModel(nested, 'Widgets', { projectVersionArn: ARN });
    const named = new CustomLabelsModel(parent, 'Named', {
      projectVersionArn: versionArn('gadgets', 'gadgets.v1'),
      runningVersionParameterName: new CfnParameter(parent, 'ParameterName', { default: '/shop/gadgets' }).valueAsString,
    });
    for (const m of [inNested, named]) {
      const arn = Stack.of(m).resolve(m.runningVersionParameter.parameterArn);
      expect(JSON.stringify(arn)).toContain(':parameter');
      expect(JSON.stringify(arn)).not.toContain(':parameter/"');
    }
    expect(() => Template.fromStack(nested)).not.toThrow();
  });
});
