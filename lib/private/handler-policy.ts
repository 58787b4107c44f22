// The IAM design of the handlers' role. CloudFormation updates this role's policy BEFORE it sends a custom resource
// its Update, deletes replaced and removed resources AFTER every update (under the new policy), and restores the old
// policy before a rollback's cleanup. A policy that named only the versions the template declares now would deny the
// cleanup of the version it no longer declares, and CloudFormation would drop that resource, still running, from the
// stack. So the role's rights come in two kinds:
//
// - on the versions the template DECLARES: start them, and claim them (write the library's tags), unless another
//   stack's ownership tag is on them. Listed by ARN, so nothing else can ever be started.
// - on every version whose ownership tag names THIS stack, declared or no longer declared: stop it and keep its
//   record. The tag outlives every template, so a cleanup, a removal or a rollback in any phase is allowed to stop
//   what this stack started, and nothing another stack owns.
//
// A stack name is unique only within a region, so the ownership tag names the stack as `<name>` on a model of the
// stack's region and as `<name>@<stack region>` on a model of any other (lambda/decisions/ownership-record.ts ownerStack()): the
// statements on the stack's own region hold it to the first form, those on every other region to the second, which
// no stack but this one can write. The second kind covers every region, not those the template names now: a model
// the template no longer declares may be in a region it no longer names.
//
// Reads (the status of a version, its tags) are allowed on every version of the account, in every region: they are
// what tells whose a model is, and a version the policy no longer names must still be read to be stopped. With holds, the role
// may also read each model's hold parameter (ssm:GetParameter, listed by ARN), and nothing else of SSM.
import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EVENT_SOURCE } from '../contract/transition-events';
import { TAG, TAG_PREFIX } from '../contract/tags';

/** The tag that names the resource which runs a model: `<stack name>/<logical id>`. */
const OWNER_TAG = TAG.owner;

/**
 * Characters of version ARNs one "declared" statement lists before another is begun. aws-cdk-lib moves statements
 * that overflow the role's inline policy (10,240 characters) into managed policies of 6,144 characters each; a
 * statement must fit one of those whole.
 */
const DECLARED_STATEMENT_CHARACTERS = 4_500;
/** What a version ARN that is a token (a parameter, an SSM value) is assumed to take once resolved. */
const TOKEN_ARN_CHARACTERS = 120;
/** What a hold parameter's ARN (a token: it names the parameter by Ref) takes once resolved, with the default name. */
const HOLD_ARN_CHARACTERS = 160;

/** A statement of a family that lists resources in statements of bounded size, and the characters it lists. */
interface BoundedStatement {
  readonly statement: iam.PolicyStatement;
  characters: number;
}

/** The role's Rekognition and CloudFormation statements, grown as models register. */
export class HandlerPolicy {
  private readonly declared: BoundedStatement[] = [];
  private readonly declaredElsewhere: BoundedStatement[] = [];
  private readonly holds: BoundedStatement[] = [];
  private readonly queues: BoundedStatement[] = [];
  /** The owner values of this stack's models in its own region, and in every other (`<name>@<region>/*`). */
  private readonly ownedBy: string;
  private readonly ownedElsewhereBy: string;
  private readonly userTagKeys: (() => string[])[] = [];
  /** The tag keys the role may write: the library's, and exactly the keys the models' tags use (rendered at synth). */
  private readonly writableTagKeys = Lazy.list({
    produce: () => [`${TAG_PREFIX}*`, ...[...new Set(this.userTagKeys.flatMap((keys) => keys()))].sort()],
  });

  constructor(private readonly role: iam.Role) {
    const stack = Stack.of(role);
    this.ownedBy = `${stack.stackName}/*`;
    this.ownedElsewhereBy = `${stack.stackName}@${stack.region}/*`;
    // Every model of the stack's account AND region: the ownership tag names a stack by its name, which a stack in
    // another region may share; that stack's role is scoped to its own region, so neither can touch the other's models.
    const anyVersion = stack.formatArn({ service: 'rekognition', resource: 'project', resourceName: '*' });
    // Every model of the stack's account in any region, for the statements held to `<name>@<region>` owner values.
    const anyVersionAnyRegion = stack.formatArn({ service: 'rekognition', region: '*', resource: 'project', resourceName: '*' });
    const tagKeysOnly = { 'ForAllValues:StringLike': { 'aws:TagKeys': [`${TAG_PREFIX}*`] } };
    const writableKeys = { 'ForAllValues:StringLike': { 'aws:TagKeys': this.writableTagKeys } };
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadModels',
      actions: ['rekognition:DescribeProjectVersions', 'rekognition:ListTagsForResource'],
      resources: [anyVersionAnyRegion],
    }));
    // DescribeProjects has no resource type (AWS's own Custom Labels policies grant it on *): it finds a project's
    // ARN when projectArn is not given, and lets the stack guard list the account's models.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'FindProjects', actions: ['rekognition:DescribeProjects'], resources: ['*'] }));
    // Each of the three owner-held statements twice: on the stack's region for `<name>/*`, and on every region for
    // `<name>@<region>/*`.
    const owned: [string, string, string][] = [['', anyVersion, this.ownedBy], ['InOtherRegions', anyVersionAnyRegion, this.ownedElsewhereBy]];
    for (const [suffix, versions, ownedBy] of owned) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: `StopOwnModels${suffix}`,
        actions: ['rekognition:StopProjectVersion', 'rekognition:TagResource'],
        resources: [versions],
        conditions: {
          StringLike: { [`aws:ResourceTag/${OWNER_TAG}`]: ownedBy },
          // A tag write may not hand the model to another stack.
          StringLikeIfExists: { [`aws:RequestTag/${OWNER_TAG}`]: ownedBy },
          ...writableKeys,
        },
      }));
      // Removing the library's tags from a model nobody owns is harmless, and a retried release whose first answer
      // was lost meets exactly that; another stack's model is still out of reach.
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: `ReleaseOwnModels${suffix}`,
        actions: ['rekognition:UntagResource'],
        resources: [versions],
        conditions: { StringLikeIfExists: { [`aws:ResourceTag/${OWNER_TAG}`]: ownedBy }, ...tagKeysOnly },
      }));
      // The user's tags come off a model this stack owns whatever their keys: an update that drops a key from the
      // template, and the release of a version the template no longer declares, run under a policy that no longer
      // names that key. Only while the ownership tag names this stack (a release removes these before its own record).
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: `UntagOwnModels${suffix}`,
        actions: ['rekognition:UntagResource'],
        resources: [versions],
        conditions: { StringLike: { [`aws:ResourceTag/${OWNER_TAG}`]: ownedBy } },
      }));
    }
    // The stack's own status and resources: a Delete tells a rollback from a removal, the guard tells a model the
    // stack still declares from one it no longer does.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadOwnStack',
      actions: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources'],
      resources: [stack.stackId],
    }));
    role.addToPrincipalPolicy(putEventsStatement(stack));
  }

  /**
   * Lets the handlers read one model's hold parameter: GetParameter on its ARN, and nothing else of SSM. Listed in
   * statements of bounded size, as the declared versions are, so that many models still fit the role's quotas.
   */
  public allowReadHold(parameterArn: string): void {
    this.addBounded(this.holds, parameterArn, HOLD_ARN_CHARACTERS,
      (sid) => new iam.PolicyStatement({ sid: `ReadHoldParameters${sid}`, actions: ['ssm:GetParameter'] }));
  }

  /**
   * Lets the handlers read one demand queue's message counts: sqs:GetQueueAttributes on its ARN, and nothing else of
   * SQS (no message is read, so an encrypted queue needs no kms:Decrypt). Bounded statements, as for holds.
   */
  public allowReadQueue(queueArn: string): void {
    this.addBounded(this.queues, queueArn, HOLD_ARN_CHARACTERS,
      (sid) => new iam.PolicyStatement({ sid: `ReadDemandQueues${sid}`, actions: ['sqs:GetQueueAttributes'] }));
  }

  /** Lets the handlers write a model's tag keys (read at synth, once Tags.of() has applied). */
  public allowTagKeys(keys: () => string[]): void {
    this.userTagKeys.push(keys);
  }

  /**
   * Lets the handlers start and claim one declared version, unless another stack owns it. A version of the stack's
   * region is listed in the statements held to `<name>/*` owner values, one of another region in those held to
   * `<name>@<region>/*`: there `<name>/*` is the same-named stack of that region's. A version whose region is not
   * known at synth time (a token ARN, an env-agnostic stack) is listed in both; each statement also holds the
   * request's region (`aws:RequestedRegion`, the region of the endpoint called, which is the model's) to its side.
   */
  public declare(versionArn: string): void {
    const stackRegion = Stack.of(this.role).region;
    const region = Token.isUnresolved(versionArn) || Token.isUnresolved(stackRegion) ? undefined : versionArn.split(':')[3];
    const estimate = Token.isUnresolved(versionArn) ? TOKEN_ARN_CHARACTERS : versionArn.length + 3;
    if (region === undefined || region === stackRegion) this.addBounded(this.declared, versionArn, estimate, (n) => this.startStatement(`StartDeclaredModels${n}`, this.ownedBy, 'StringEquals'));
    if (region === undefined || region !== stackRegion) {
      this.addBounded(this.declaredElsewhere, versionArn, estimate, (n) => this.startStatement(`StartDeclaredModelsInOtherRegions${n}`, this.ownedElsewhereBy, 'StringNotEquals'));
    }
  }

  private startStatement(sid: string, ownedBy: string, regionOperator: 'StringEquals' | 'StringNotEquals'): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      actions: ['rekognition:StartProjectVersion', 'rekognition:TagResource'],
      conditions: {
        // Not a model another stack owns (none at all is fine: the claim writes the tag).
        StringLikeIfExists: { [`aws:ResourceTag/${OWNER_TAG}`]: ownedBy, [`aws:RequestTag/${OWNER_TAG}`]: ownedBy },
        [regionOperator]: { 'aws:RequestedRegion': Stack.of(this.role).region },
        'ForAllValues:StringLike': { 'aws:TagKeys': this.writableTagKeys },
      },
    });
  }

  /**
   * Adds a resource to the last statement of a family while it stays within DECLARED_STATEMENT_CHARACTERS, else to a
   * new one (numbered by its place in the family) made by `make`.
   */
  private addBounded(family: BoundedStatement[], arn: string, tokenEstimate: number, make: (n: number) => iam.PolicyStatement): void {
    const characters = Token.isUnresolved(arn) ? tokenEstimate : arn.length + 3;
    const last = family[family.length - 1];
    if (last && last.characters + characters <= DECLARED_STATEMENT_CHARACTERS) {
      last.statement.addResources(arn);
      last.characters += characters;
      return;
    }
    const statement = make(family.length);
    statement.addResources(arn);
    this.role.addToPrincipalPolicy(statement);
    family.push({ statement, characters });
  }
}

/**
 * The transition events (lambda/decisions/transition-events.ts): PutEvents on the default bus of the stack's account and region only, and
 * only entries of the library's source. The service authorization reference (Amazon EventBridge, "Condition keys":
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html) types
 * `events:source` as ArrayOfString (one request may carry entries of several sources): `ForAllValues:StringEquals`
 * holds every entry to the library's source, and `Null: false` refuses a request without the key, which
 * ForAllValues alone would let through.
 */
export function putEventsStatement(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'PutTransitionEvents',
    actions: ['events:PutEvents'],
    resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
    conditions: {
      'ForAllValues:StringEquals': { 'events:source': [EVENT_SOURCE] },
      'Null': { 'events:source': 'false' },
    },
  });
}
