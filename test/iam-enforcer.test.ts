// The IAM enforcer the service stand-ins use: hand-written policies judged by iam-simulate as AWS would judge them,
// and a role's policies read out of a template, intrinsics resolved.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomLabelsModel } from '../lib';
import { CfnTemplate, IamEnforcer, PolicyDocument, Pseudo, resolveIntrinsics, rolePolicies } from './support/iam';

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/MyStack-HandlerRole-1A2B3C/MyStack-OnEvent';
const VERSION = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/v1/1767607200000';
const OWNER = 'aws:ResourceTag/cdk-custom-labels:owner';
const PSEUDO: Pseudo = {
  accountId: '123456789012',
  region: 'us-east-1',
  partition: 'aws',
  stackName: 'MyStack',
  stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/MyStack/5f0e3c10-0000-11f0-8000-0a1b2c3d4e5f',
};

function enforcer(...docs: PolicyDocument[]): IamEnforcer {
  const e = new IamEnforcer(PRINCIPAL);
  e.setPolicies(docs);
  return e;
}

function ownerPolicy(operator: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Action: 'rekognition:StopProjectVersion',
      Resource: 'arn:aws:rekognition:*:123456789012:project/*',
      Condition: { [operator]: { [OWNER]: 'MyStack/*' } },
    }],
  };
}

describe('resource tags', () => {
  const stop = (context: Record<string, string>) => ({ action: 'rekognition:StopProjectVersion', resource: VERSION, context });

  test('StringLike on aws:ResourceTag allows the owner and denies another stack or no tag', async () => {
    const e = enforcer(ownerPolicy('StringLike'));
    expect(await e.authorize(stop({ [OWNER]: 'MyStack/Model' }))).toMatchObject({ allowed: true, message: '' });
    const otherOrNone: Record<string, string>[] = [{ [OWNER]: 'OtherStack/Model' }, {}];
    for (const context of otherOrNone) {
      expect(await e.authorize(stop(context))).toMatchObject({
        allowed: false,
        message: `User: ${PRINCIPAL} is not authorized to perform: rekognition:StopProjectVersion on resource: ${VERSION} because no identity-based policy allows the rekognition:StopProjectVersion action`,
      });
    }
  });

  test('StringLikeIfExists allows an untagged version, still denies another owner', async () => {
    const e = enforcer(ownerPolicy('StringLikeIfExists'));
    expect((await e.authorize(stop({}))).allowed).toBe(true);
    expect((await e.authorize(stop({ [OWNER]: 'OtherStack/Model' }))).allowed).toBe(false);
  });

  test('a tag key AWS does not have for the action is left out: DescribeProjects is wildcard-only', async () => {
    const e = enforcer({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'rekognition:DescribeProjects', Resource: '*', Condition: { StringLike: { [OWNER]: 'MyStack/*' } } }],
    });
    const r = await e.authorize({ action: 'rekognition:DescribeProjects', resource: '*', context: { [OWNER]: 'MyStack/Model' } });
    expect(r).toMatchObject({ allowed: false, ignoredContextKeys: [OWNER] });
    expect(r.message).toBe(`User: ${PRINCIPAL} is not authorized to perform: rekognition:DescribeProjects because no identity-based policy allows the rekognition:DescribeProjects action`);
  });
});

describe('tag keys', () => {
  const policy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'rekognition:TagResource', Resource: VERSION, Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['cdk-custom-labels:*'] } } }],
  };
  const tag = (keys?: string[]) => ({
    action: 'rekognition:TagResource',
    resource: VERSION,
    context: keys ? { 'aws:TagKeys': keys, ...Object.fromEntries(keys.map((k) => [`aws:RequestTag/${k}`, 'x'])) } : {},
  });

  test('ForAllValues:StringLike on aws:TagKeys allows our keys, denies any other', async () => {
    const e = enforcer(policy);
    expect((await e.authorize(tag(['cdk-custom-labels:owner']))).allowed).toBe(true);
    expect((await e.authorize(tag(['CostCenter']))).allowed).toBe(false);
    expect((await e.authorize(tag(['cdk-custom-labels:owner', 'CostCenter']))).allowed).toBe(false);
  });

  test('ForAllValues with no tag keys in the request is true, as AWS documents', async () => {
    expect((await enforcer(policy).authorize(tag())).allowed).toBe(true);
  });
});

describe('denials and errors', () => {
  test('an action no policy grants is denied with AWS\'s message', async () => {
    const e = enforcer({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'rekognition:StartProjectVersion', Resource: VERSION }] });
    const r = await e.authorize({ action: 'rekognition:StopProjectVersion', resource: VERSION });
    expect(r.allowed).toBe(false);
    expect(r.message).toBe(`User: ${PRINCIPAL} is not authorized to perform: rekognition:StopProjectVersion on resource: ${VERSION} because no identity-based policy allows the rekognition:StopProjectVersion action`);
  });

  test('an explicit deny wins, with its own message', async () => {
    const e = enforcer(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'rekognition:*', Resource: '*' }] },
      { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'rekognition:StopProjectVersion', Resource: '*' }] },
    );
    expect(await e.authorize({ action: 'rekognition:StopProjectVersion', resource: VERSION })).toMatchObject({
      allowed: false,
      message: `User: ${PRINCIPAL} is not authorized to perform: rekognition:StopProjectVersion on resource: ${VERSION} with an explicit deny in an identity-based policy`,
    });
  });

  test('a wildcard-only action is not granted by an ARN-scoped statement', async () => {
    const e = enforcer({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'rekognition:DescribeProjects', Resource: 'arn:aws:rekognition:*:123456789012:project/*' }] });
    expect((await e.authorize({ action: 'rekognition:DescribeProjects', resource: '*' })).allowed).toBe(false);
  });

  test('a * in a request\'s ARN is literal, as in DescribeStacks of a stack that does not exist', async () => {
    const byName = 'arn:aws:cloudformation:us-east-1:123456789012:stack/MyStack/*';
    const byId = enforcer({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: PSEUDO.stackId }] });
    expect(await byId.authorize({ action: 'cloudformation:DescribeStacks', resource: byName })).toMatchObject({
      allowed: false,
      message: `User: ${PRINCIPAL} is not authorized to perform: cloudformation:DescribeStacks on resource: ${byName} because no identity-based policy allows the cloudformation:DescribeStacks action`,
    });
    const byPattern = enforcer({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: byName }] });
    expect((await byPattern.authorize({ action: 'cloudformation:DescribeStacks', resource: byName })).allowed).toBe(true);
    expect((await byPattern.authorize({ action: 'cloudformation:DescribeStacks', resource: byName.replace('MyStack', 'Other') })).allowed).toBe(false);
  });

  test('a wrong request is an error, not a denial', async () => {
    const e = enforcer({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const project = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/1767000000000';
    await expect(e.authorize({ action: 'rekognition:StopProjectVersoin', resource: VERSION })).rejects.toThrow(/invalid\.action/);
    await expect(e.authorize({ action: 'rekognition:StopProjectVersion', resource: project })).rejects.toThrow(/no\.resource\.types/);
    await expect(e.authorize({ action: 'rekognition:DescribeProjects', resource: project })).rejects.toThrow(/must\.use\.wildcard/);
    await expect(e.authorize({ action: 'cloudformation:DescribeStacks', resource: '*' })).rejects.toThrow(/give the resource's ARN/);
    await expect(e.authorize({ action: 'rekognition:StopProjectVersion', resource: VERSION, context: { 'rekognition:Owner': 'x' } })).rejects.toThrow(/do not apply.*rekognition:Owner/);
    await expect(e.authorize({ action: 'rekognition:StopProjectVersion', resource: VERSION, context: { [OWNER]: ['a', 'b'] } })).rejects.toThrow(/single-valued/);
    e.setPolicies([{ Version: '2012-10-17', Statement: [{ Effect: 'Permit' as 'Allow', Action: '*', Resource: '*' }] }]);
    await expect(e.authorize({ action: 'rekognition:StopProjectVersion', resource: VERSION })).rejects.toThrow(/Effect/);
  });
});

describe('resolveIntrinsics', () => {
  const template: CfnTemplate = {
    Parameters: { Env: { Type: 'String', Default: 'dev' }, Names: { Type: 'CommaDelimitedList', Default: 'a,b' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      Named: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { 'Fn::Sub': '${AWS::StackName}-named' } } },
      Q: { Type: 'AWS::SQS::Queue' },
      Log: { Type: 'AWS::Logs::LogGroup' },
    },
  };
  const r = (v: unknown, parameters?: Record<string, string>) => resolveIntrinsics(v, template, PSEUDO, parameters);

  test('pseudo parameters, parameters, resources', () => {
    expect(r({ 'Fn::Join': [':', [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::URLSuffix' }]] })).toBe('aws:us-east-1:123456789012:amazonaws.com');
    expect(r({ Ref: 'Env' })).toBe('dev');
    expect(r({ Ref: 'Env' }, { Env: 'prod' })).toBe('prod');
    expect(r({ Ref: 'Names' })).toEqual(['a', 'b']);
    expect(r({ 'Fn::GetAtt': ['Named', 'Arn'] })).toBe('arn:aws:lambda:us-east-1:123456789012:function:MyStack-named');
    expect(r({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe(`arn:aws:lambda:us-east-1:123456789012:function:${r({ Ref: 'Fn' })}`);
    expect(r({ 'Fn::GetAtt': 'Q.Arn' })).toMatch(/^arn:aws:sqs:us-east-1:123456789012:MyStack-Q-[0-9A-F]{12}$/);
    expect(r({ Ref: 'Q' })).toMatch(/^https:\/\/sqs\.us-east-1\.amazonaws\.com\/123456789012\/MyStack-Q-/);
    expect(r({ 'Fn::GetAtt': ['Log', 'Arn'] })).toMatch(/^arn:aws:logs:us-east-1:123456789012:log-group:.+:\*$/);
    expect(r({ 'Fn::GetAtt': ['Fn', 'SnapStartResponse.ApplyOn'] })).toEqual(expect.any(String));
  });

  test('Sub in both forms, Select, Split, If, NoValue', () => {
    expect(r({ 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:x/${Env}/${!Literal}' })).toBe('arn:aws:states:us-east-1:123456789012:x/dev/${Literal}');
    expect(r({ 'Fn::Sub': ['${Arn}/*', { Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }] })).toBe(`${r({ 'Fn::GetAtt': ['Fn', 'Arn'] })}/*`);
    expect(r({ 'Fn::Sub': '${Fn.Arn}' })).toBe(r({ 'Fn::GetAtt': ['Fn', 'Arn'] }));
    expect(r({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(r({ 'Fn::If': ['IsProd', 'big', 'small'] })).toBe('small');
    expect(r({ A: { Ref: 'AWS::NoValue' }, B: ['x', { Ref: 'AWS::NoValue' }] })).toEqual({ B: ['x'] });
  });

  test('an intrinsic it does not know is named', () => {
    expect(() => r({ 'Fn::ImportValue': 'Shared-Arn' })).toThrow(/Fn::ImportValue/);
    expect(() => r({ Ref: 'Nope' })).toThrow(/Nope/);
  });
});

describe('rolePolicies', () => {
  const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
  const template: CfnTemplate = {
    Resources: {
      HandlerRoleABC123: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          ManagedPolicyArns: [join('arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')],
        },
      },
      HandlerRoleDefaultPolicyDEF456: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'HandlerRoleDefaultPolicyDEF456',
          Roles: [{ Ref: 'HandlerRoleABC123' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: { Ref: 'AWS::StackId' } },
              {
                Effect: 'Allow',
                Action: 'rekognition:StopProjectVersion',
                Resource: join('arn:', { Ref: 'AWS::Partition' }, ':rekognition:*:', { Ref: 'AWS::AccountId' }, ':project/*'),
                Condition: { StringLike: { [OWNER]: join({ Ref: 'AWS::StackName' }, '/*') } },
              },
            ],
          },
        },
      },
      Queue: { Type: 'AWS::SQS::Queue' },
      QueueAccess: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Roles: [{ Ref: 'HandlerRoleABC123' }],
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:GetQueueAttributes', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] },
        },
      },
      OtherRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      OtherPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'OtherRole' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
      },
    },
  };

  test('gathers and resolves every policy attached to the role, and only those', async () => {
    const docs = rolePolicies(template, 'HandlerRole', PSEUDO);
    expect(docs).toHaveLength(3);
    expect(JSON.stringify(docs)).not.toMatch(/Fn::|"Ref"/);
    expect(docs).toContainEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
    });

    const e = enforcer(...docs);
    const queueArn = String(resolveIntrinsics({ 'Fn::GetAtt': ['Queue', 'Arn'] }, template, PSEUDO));
    const ok = async (action: string, resource: string, context?: Record<string, string>) => (await e.authorize({ action, resource, context })).allowed;
    expect(await ok('rekognition:StopProjectVersion', VERSION, { [OWNER]: 'MyStack/Model' })).toBe(true);
    expect(await ok('rekognition:StopProjectVersion', VERSION, { [OWNER]: 'OtherStack/Model' })).toBe(false);
    expect(await ok('rekognition:StopProjectVersion', VERSION.replace('123456789012', '210987654321'), { [OWNER]: 'MyStack/Model' })).toBe(false);
    expect(await ok('cloudformation:DescribeStacks', PSEUDO.stackId)).toBe(true);
    expect(await ok('cloudformation:DescribeStacks', PSEUDO.stackId.replace('MyStack', 'OtherStack'))).toBe(false);
    expect(await ok('sqs:GetQueueAttributes', queueArn)).toBe(true);
    expect(await ok('sqs:GetQueueAttributes', `${queueArn}-other`)).toBe(false);
    expect(await ok('logs:PutLogEvents', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:y')).toBe(true);
    expect(await ok('rekognition:StartProjectVersion', VERSION, { [OWNER]: 'MyStack/Model' })).toBe(false);
  });

  test('one role, and only managed policies it knows', () => {
    expect(() => rolePolicies(template, 'Nothing', PSEUDO)).toThrow(/found 0/);
    expect(() => rolePolicies(template, '', PSEUDO)).toThrow(/found 2/);
    const unknownManaged = structuredClone(template);
    const role = unknownManaged.Resources?.HandlerRoleABC123 as { Properties: { ManagedPolicyArns: unknown[] } };
    role.Properties.ManagedPolicyArns.push('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(() => rolePolicies(unknownManaged, 'HandlerRole', PSEUDO)).toThrow(/AdministratorAccess/);
  });
});

test('the construct\'s handler role: its policies resolve, and grant Rekognition', () => {
  const app = new App();
  const stack = new Stack(app, 'MyStack', { env: { account: '123456789012', region: 'us-east-1' } });
  new CustomLabelsModel(stack, 'Model', { projectVersionArn: VERSION, minInferenceUnits: 2 });
  const template: CfnTemplate = Template.fromStack(stack).toJSON();
  const docs = rolePolicies(template, 'RekognitionCustomLabelsProviderHandlerRole', PSEUDO);
  expect(docs.length).toBeGreaterThan(0);
  const actions = docs.flatMap((d) => [d.Statement].flat()).flatMap((s) => [s.Action ?? []].flat());
  expect(actions.some((a) => a.startsWith('rekognition:'))).toBe(true);
});
