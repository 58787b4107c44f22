// A stack deployed template by template, in CloudFormation's order (the User Guide, "Monitoring the progress of a
// stack update"), with the handler role's policy in force as each phase has it:
//
//   create:   policy created; model resources created.          Failure: ROLLBACK, deletes under the same policy.
//   update:   policy updated FIRST (the functions, and so the custom resources, depend on it); creates and updates;
//             then UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: removed resources and replaced physical ids deleted, still
//             under the new policy. A cleanup delete that fails is tried three times, then dropped from the stack,
//             which ends UPDATE_COMPLETE all the same ("The old resource still exists and will continue to incur
//             charges").
//             Failure: UPDATE_ROLLBACK_IN_PROGRESS: the OLD policy restored, every touched resource updated back
//             (old and new properties swapped); then UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: what the failed
//             update created (resources, new physical ids) deleted, under the old policy.
//   delete:   model resources deleted under the policy in force; then the role goes.
//
// SSM parameters (AWS::SSM::Parameter, written to the world's ParameterStore) follow their references: one whose value
// is a model resource's Ref is written once that resource's create or update has succeeded (before the cleanup), and
// restored by a rollback once the model is back; one that refers to no model is written when the phase begins, and
// only when its definition differs from the template before (CloudFormation updates only resources whose properties
// changed, so a value an operator wrote, a hold, survives a deploy that leaves the parameter as it was).
// Identities of the template's other roles (a client's) get their role's policies as each phase puts them in force.
//
// The guard regions resource (Custom::RekognitionCustomLabelsGuardRegions) is created, updated, rolled back and
// deleted with the models, and its Regions attribute is what the guard's schedule carries (cfn.guardRegions); a new
// physical id of it is a replacement, whose old id the cleanup deletes.
//
// Requests go through the CloudFormation emulator, so through the real Provider framework runtime and the shipped
// handlers, and every call they make is evaluated by IAM against the phase's policy.
import { CfnAnswer, CloudFormationEmulator } from './cloudformation';
import { CfnTemplate, IamEnforcer, PolicyDocument, rolePolicies } from './iam';
import { ParameterStore } from './parameter-store';
import { GUARD_REGIONS } from '../../lib/contract/resource-properties';
import { handlerPolicies, modelResources, pseudoOf, ssmParameters } from './templates';

export interface DeployOptions {
  /**
   * Another resource of the stack fails this many seconds after the deploy began (0: once every model resource has
   * answered): the stack rolls back. A model request still unanswered then is abandoned, as CloudFormation does.
   */
  readonly failElsewhereAfterSeconds?: number;
}

export interface Outcome {
  /** The stack's status at the end. */
  readonly status: string;
  /**
   * Every answer, by `<request type> <logical id> <physical id>`, in the order they were sent. `abandoned`: the stack
   * failed elsewhere before this request was answered, and CloudFormation stopped waiting for it.
   */
  readonly answers: readonly { readonly what: string; readonly answer?: CfnAnswer; readonly abandoned?: boolean }[];
  /** Physical ids of cleanup deletes that failed three times and that CloudFormation dropped from the stack. */
  readonly dropped: readonly string[];
}

interface Live {
  readonly physicalId: string;
  readonly props: Record<string, string>;
}

/** How CloudFormation answers a delete of a resource whose create it abandoned: with a physical id of its own. */
function madeUpPhysicalId(stackName: string, logicalId: string): string {
  return `${stackName}-${logicalId}-${Math.random().toString(36).slice(2, 14).toUpperCase()}`;
}

const GUARD_REGIONS_TYPE = GUARD_REGIONS.resourceType;

export class StackDeployment {
  private template?: CfnTemplate;
  private live = new Map<string, Live>();
  /** The guard regions resource as CloudFormation believes it is: its logical id, physical id and properties. */
  private guard?: Live & { readonly logicalId: string };

  /**
   * @param policiesOf the role's policies of a template; a test may swap in another IAM design, to show that the
   * world would catch it
   */
  private readonly identities: { readonly enforcer: IamEnforcer; readonly roleLogicalIdPrefix: string }[] = [];

  constructor(
    public readonly cfn: CloudFormationEmulator,
    private readonly policiesOf: (template: CfnTemplate, stackId: string) => PolicyDocument[] = handlerPolicies,
    private readonly parameters?: ParameterStore,
  ) {}

  /** Gives this identity the policies of the template's role (by logical id prefix) in every phase from now on. */
  followRole(enforcer: IamEnforcer, roleLogicalIdPrefix: string): void {
    this.identities.push({ enforcer, roleLogicalIdPrefix });
    if (this.template) enforcer.setPolicies(rolePolicies(this.template, roleLogicalIdPrefix, pseudoOf(this.cfn.stackId)));
  }

  /** Puts a template's policies in force: the handler role's, and those of the roles identities follow. */
  private enterPhase(template: CfnTemplate): void {
    this.cfn.setPolicies(this.policiesOf(template, this.cfn.stackId));
    for (const i of this.identities) i.enforcer.setPolicies(rolePolicies(template, i.roleLogicalIdPrefix, pseudoOf(this.cfn.stackId)));
  }

  /** Writes a template's parameters: those that refer to a model `afterModels`, the others before. */
  private writeParameters(template: CfnTemplate, afterModels: boolean, physicalIdOf: (logicalId: string) => string | undefined, before?: CfnTemplate): void {
    if (!this.parameters) return;
    const unchanged = new Set(before ? ssmParameters(before, this.cfn.stackId).filter((p) => p.refersTo === undefined).map((p) => JSON.stringify(p)) : []);
    for (const p of ssmParameters(template, this.cfn.stackId)) {
      if ((p.refersTo !== undefined) !== afterModels) continue;
      if (p.refersTo === undefined && unchanged.has(JSON.stringify(p))) continue;
      const value = p.refersTo !== undefined ? physicalIdOf(p.refersTo) : p.value;
      if (value !== undefined) this.parameters.put(p.name, value);
    }
  }

  /** Deletes the parameters of a template that the other template (if any) does not also declare. */
  private deleteParameters(template: CfnTemplate, keep?: CfnTemplate): void {
    if (!this.parameters) return;
    const kept = new Set(keep ? ssmParameters(keep, this.cfn.stackId).map((p) => p.name) : []);
    for (const p of ssmParameters(template, this.cfn.stackId)) if (!kept.has(p.name)) this.parameters.delete(p.name);
  }

  /** The model resources CloudFormation believes exist: logical id to physical id and properties. */
  get resources(): ReadonlyMap<string, Live> {
    return this.live;
  }

  async deploy(template: CfnTemplate, options: DeployOptions = {}): Promise<Outcome> {
    return this.template === undefined ? this.create(template, options) : this.update(template, options);
  }

  private async create(template: CfnTemplate, options: DeployOptions): Promise<Outcome> {
    const log: Outcome['answers'][number][] = [];
    this.cfn.stackStatus = 'CREATE_IN_PROGRESS';
    this.enterPhase(template);
    this.writeParameters(template, false, () => undefined);
    const wanted = modelResources(template, this.cfn.stackId);
    const sent = [...wanted].map(([logicalId, props]) => ({ logicalId, props, requestId: this.cfn.create(logicalId, props) }));
    const guard = this.sendGuardRegions(template);
    const failed = await this.await([...sent.map((s) => s.requestId), ...(guard ? [guard.requestId] : [])], options);
    for (const s of sent) log.push(this.entry(`Create ${s.logicalId}`, s.requestId));
    if (!failed) {
      for (const s of sent) this.live.set(s.logicalId, { physicalId: this.cfn.answers.get(s.requestId)!.PhysicalResourceId, props: s.props });
      this.settleGuardRegions(guard);
      this.template = template;
      this.cfn.template = template;
      this.writeParameters(template, true, (id) => this.live.get(id)?.physicalId);
      return this.finish('CREATE_COMPLETE', log, []);
    }
    // ROLLBACK: everything created is deleted, under the policy it was created with.
    this.cfn.stackStatus = 'ROLLBACK_IN_PROGRESS';
    this.deleteParameters(template);
    await this.deleteAll(sent.map((s) => ({ logicalId: s.logicalId, props: s.props, answer: this.cfn.answers.get(s.requestId) })), log);
    return this.finish('ROLLBACK_COMPLETE', log, []);
  }

  private async update(template: CfnTemplate, options: DeployOptions): Promise<Outcome> {
    const log: Outcome['answers'][number][] = [];
    const oldTemplate = this.template!;
    const wanted = modelResources(template, this.cfn.stackId);
    this.cfn.stackStatus = 'UPDATE_IN_PROGRESS';
    this.enterPhase(template);
    this.writeParameters(template, false, () => undefined, oldTemplate);
    const creates: { logicalId: string; props: Record<string, string>; requestId: string }[] = [];
    const updates: { logicalId: string; props: Record<string, string>; old: Live; requestId: string }[] = [];
    for (const [logicalId, props] of wanted) {
      const old = this.live.get(logicalId);
      if (!old) creates.push({ logicalId, props, requestId: this.cfn.create(logicalId, props) });
      else if (JSON.stringify(old.props) !== JSON.stringify(props)) {
        updates.push({ logicalId, props, old, requestId: this.cfn.update(logicalId, old.physicalId, props, old.props) });
      }
    }
    const guard = this.sendGuardRegions(template);
    const failed = await this.await([...[...creates, ...updates].map((r) => r.requestId), ...(guard ? [guard.requestId] : [])], options);
    for (const r of creates) log.push(this.entry(`Create ${r.logicalId}`, r.requestId));
    for (const r of updates) log.push(this.entry(`Update ${r.logicalId}`, r.requestId));

    if (!failed) {
      const replacedGuard = this.settleGuardRegions(guard);
      const cleanup: { logicalId: string; physicalId: string; props: Record<string, string> }[] = [];
      for (const [logicalId, old] of this.live) if (!wanted.has(logicalId)) cleanup.push({ logicalId, ...old });
      for (const r of updates) {
        const physicalId = this.cfn.answers.get(r.requestId)!.PhysicalResourceId;
        if (physicalId !== r.old.physicalId) cleanup.push({ logicalId: r.logicalId, ...r.old });
      }
      const next = new Map<string, Live>();
      for (const [logicalId, props] of wanted) {
        const r = [...creates, ...updates].find((x) => x.logicalId === logicalId);
        next.set(logicalId, r ? { physicalId: this.cfn.answers.get(r.requestId)!.PhysicalResourceId, props } : this.live.get(logicalId)!);
      }
      this.live = next;
      this.template = template;
      this.cfn.template = template;
      // The parameters that refer to a model, now that every model's update has succeeded; then the cleanup.
      this.writeParameters(template, true, (id) => this.live.get(id)?.physicalId);
      this.deleteParameters(oldTemplate, template);
      this.cfn.stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
      // The guard regions resource's old physical id, if it has a new one: its delete is a no-op, never dropped.
      if (replacedGuard) await this.await([this.cfn.remove(replacedGuard.logicalId, replacedGuard.physicalId, replacedGuard.props, undefined, GUARD_REGIONS_TYPE)], {});
      const dropped = await this.cleanupDeletes(cleanup, log);
      return this.finish('UPDATE_COMPLETE', log, dropped);
    }

    // The models' updates all succeeded and something else failed: CloudFormation may have written the parameters
    // that refer to them before the failure; the rollback writes them back.
    const touched = [...creates, ...updates];
    if (touched.every((r) => this.cfn.answers.get(r.requestId)?.Status === 'SUCCESS')) {
      this.writeParameters(template, true, (id) => {
        const r = touched.find((x) => x.logicalId === id);
        return r ? this.cfn.answers.get(r.requestId)!.PhysicalResourceId : this.live.get(id)?.physicalId;
      });
    }
    // UPDATE_ROLLBACK_IN_PROGRESS: the old policy first, then every touched resource back to its old properties.
    this.cfn.stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
    this.enterPhase(oldTemplate);
    this.writeParameters(oldTemplate, false, () => undefined, template);
    const rollbacks = updates.map((r) => {
      const answer = this.cfn.answers.get(r.requestId);
      const physicalId = answer?.PhysicalResourceId ?? r.old.physicalId;
      return { ...r, physicalId, rollbackId: this.cfn.update(r.logicalId, physicalId, r.old.props, r.props) };
    });
    // The guard regions resource back to its old properties too, from the physical id its update may have given it.
    const guardAnswer = guard ? this.cfn.answers.get(guard.requestId) : undefined;
    const guardBack = guard?.previous && guardAnswer?.Status === 'SUCCESS' && JSON.stringify(guard.props) !== JSON.stringify(guard.previous.props)
      ? { ...guard, requestId: this.cfn.update(guard.logicalId, guardAnswer.PhysicalResourceId, guard.previous.props, guard.props, undefined, GUARD_REGIONS_TYPE), props: guard.previous.props }
      : undefined;
    const rollbackFailed = await this.await([...rollbacks.map((r) => r.rollbackId), ...(guardBack ? [guardBack.requestId] : [])], {});
    this.settleGuardRegions(guardBack);
    for (const r of rollbacks) log.push({ what: `Update (rollback) ${r.logicalId}`, answer: this.cfn.answers.get(r.rollbackId) });
    if (rollbackFailed) return this.finish('UPDATE_ROLLBACK_FAILED', log, []);
    this.writeParameters(oldTemplate, true, (id) => this.live.get(id)?.physicalId);
    this.deleteParameters(template, oldTemplate);
    // UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: what the failed update created goes, under the old policy.
    this.cfn.stackStatus = 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS';
    await this.deleteAll(creates.map((c) => ({ logicalId: c.logicalId, props: c.props, answer: this.cfn.answers.get(c.requestId) })), log);
    const replaced = rollbacks.filter((r) => r.physicalId !== r.old.physicalId && r.physicalId !== 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
    const dropped = await this.cleanupDeletes(replaced.map((r) => ({ logicalId: r.logicalId, physicalId: r.physicalId, props: r.props })), log);
    return this.finish('UPDATE_ROLLBACK_COMPLETE', log, dropped);
  }

  /** Deletes the stack: every model resource, under the policy in force. */
  async destroy(): Promise<Outcome> {
    const log: Outcome['answers'][number][] = [];
    this.cfn.stackStatus = 'DELETE_IN_PROGRESS';
    const sent = [...this.live].map(([logicalId, l]) => ({ logicalId, physicalId: l.physicalId, requestId: this.cfn.remove(logicalId, l.physicalId, l.props) }));
    await this.await(sent.map((s) => s.requestId), {});
    const failed = sent.filter((s) => this.cfn.answers.get(s.requestId)?.Status !== 'SUCCESS');
    for (const s of sent) log.push({ what: `Delete ${s.logicalId} ${s.physicalId}`, answer: this.cfn.answers.get(s.requestId) });
    if (failed.length > 0) return this.finish('DELETE_FAILED', log, []);
    if (this.guard) {
      // Deleted after the models (the guard's schedule, which reads it, goes before; nothing of it waits on them).
      await this.await([this.cfn.remove(this.guard.logicalId, this.guard.physicalId, this.guard.props, undefined, GUARD_REGIONS_TYPE)], {});
      this.guard = undefined;
      this.cfn.guardRegions = undefined;
    }
    if (this.template) this.deleteParameters(this.template);
    this.live.clear();
    this.template = undefined;
    this.cfn.template = undefined;
    return this.finish('DELETE_COMPLETE', log, []);
  }

  /**
   * Sends the template's guard regions resource its Create, or its Update when its properties changed; undefined when
   * there is nothing to send (none in the template, or unchanged).
   */
  private sendGuardRegions(template: CfnTemplate): { logicalId: string; props: Record<string, string>; requestId: string; previous?: Live } | undefined {
    const [entry] = [...modelResources(template, this.cfn.stackId, GUARD_REGIONS_TYPE)];
    if (!entry) return undefined;
    const [logicalId, props] = entry;
    const previous = this.guard?.logicalId === logicalId ? this.guard : undefined;
    if (previous && JSON.stringify(previous.props) === JSON.stringify(props)) return undefined;
    const requestId = previous
      ? this.cfn.update(logicalId, previous.physicalId, props, previous.props, undefined, GUARD_REGIONS_TYPE)
      : this.cfn.create(logicalId, props, undefined, GUARD_REGIONS_TYPE);
    return { logicalId, props, requestId, previous };
  }

  /** Records a guard regions request that succeeded; returns the resource it replaced (a new physical id), if any. */
  private settleGuardRegions(sent: { logicalId: string; props: Record<string, string>; requestId: string } | undefined): (Live & { logicalId: string }) | undefined {
    const answer = sent ? this.cfn.answers.get(sent.requestId) : undefined;
    if (!sent || answer?.Status !== 'SUCCESS') return undefined;
    const before = this.guard;
    this.guard = { logicalId: sent.logicalId, physicalId: answer.PhysicalResourceId, props: sent.props };
    this.cfn.guardRegions = answer.Data?.[GUARD_REGIONS.regionsAttr];
    return before && before.physicalId !== answer.PhysicalResourceId ? before : undefined;
  }

  /** Runs until every request is answered; true when one failed, or when another resource failed meanwhile. */
  private async await(requestIds: string[], options: DeployOptions): Promise<boolean> {
    const all = () => requestIds.every((id) => this.cfn.answers.has(id));
    const failAt = options.failElsewhereAfterSeconds ? this.cfn.sent[this.cfn.sent.length - 1].sentAt + options.failElsewhereAfterSeconds * 1000 : undefined;
    await this.cfn.run(() => all() || (failAt !== undefined && Date.now() >= failAt));
    if (options.failElsewhereAfterSeconds !== undefined) return true;
    return requestIds.some((id) => this.cfn.answers.get(id)?.Status !== 'SUCCESS');
  }

  /** Deletes what a failed create or update created: by its physical id, or by a made-up one if it never answered. */
  private async deleteAll(created: { logicalId: string; props: Record<string, string>; answer?: CfnAnswer }[], log: Outcome['answers'][number][]): Promise<void> {
    const sent = created
      .filter((c) => c.answer?.PhysicalResourceId !== 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' || c.answer === undefined)
      .map((c) => {
        const physicalId = c.answer?.PhysicalResourceId ?? madeUpPhysicalId(this.cfn.stackName, c.logicalId);
        return { what: `Delete ${c.logicalId} ${physicalId}`, requestId: this.cfn.remove(c.logicalId, physicalId, c.props) };
      });
    await this.await(sent.map((s) => s.requestId), {});
    for (const s of sent) log.push({ what: s.what, answer: this.cfn.answers.get(s.requestId) });
  }

  /** Cleanup deletes, all at once: three tries each, then CloudFormation drops the resource and carries on. */
  private async cleanupDeletes(deletes: { logicalId: string; physicalId: string; props: Record<string, string> }[], log: Outcome['answers'][number][]): Promise<string[]> {
    let pending = deletes;
    for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
      const sent = pending.map((d) => ({ d, requestId: this.cfn.remove(d.logicalId, d.physicalId, d.props) }));
      await this.await(sent.map((s) => s.requestId), {});
      for (const s of sent) log.push({ what: `Delete (cleanup) ${s.d.logicalId} ${s.d.physicalId}`, answer: this.cfn.answers.get(s.requestId) });
      pending = sent.filter((s) => this.cfn.answers.get(s.requestId)?.Status !== 'SUCCESS').map((s) => s.d);
    }
    return pending.map((d) => d.physicalId);
  }

  /** A log entry; a request with no answer yet was abandoned when the stack failed elsewhere. */
  private entry(what: string, requestId: string): Outcome['answers'][number] {
    const answer = this.cfn.answers.get(requestId);
    return answer ? { what, answer } : { what, abandoned: true };
  }

  private finish(status: string, answers: Outcome['answers'][number][], dropped: string[]): Outcome {
    this.cfn.stackStatus = status;
    this.cfn.resources.clear();
    for (const [logicalId, l] of this.live) this.cfn.resources.set(logicalId, l.physicalId);
    return { status, answers, dropped };
  }
}
