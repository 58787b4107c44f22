// The properties of a model's custom resource: what the handlers read (lambda/model-spec.ts), as CloudFormation
// delivers it: strings. The scheduled path gets the same, so both paths decide from one declaration.
import { Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { PROP, REMOVAL } from '../contract/resource-properties';
import type { CustomLabelsModelProps } from '../custom-labels-model-props';
import { ModelSettings } from './model-validation';

/**
 * The custom resource's properties: every prop that is set, as a string; tokens stay tokens. `tags`: what only
 * synthesis knows, the tags once Tags.of() has applied.
 */
export function modelResourceProperties(stack: Stack, props: CustomLabelsModelProps, settings: ModelSettings, tags: () => Record<string, string>): Record<string, string> {
  const { minInferenceUnits: min, maxInferenceUnits: max, windows, demand } = settings;
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries({
    [PROP.projectVersionArn]: props.projectVersionArn,
    [PROP.projectArn]: props.projectArn,
    [PROP.minInferenceUnits]: numberProperty(min),
    [PROP.maxInferenceUnits]: max === undefined ? undefined : numberProperty(max),
    [PROP.removalPolicy]: removalPolicyProperty(settings.removalPolicy),
    [PROP.timeoutSeconds]: numberProperty(settings.timeoutSeconds),
    [PROP.replacementGraceSeconds]: numberProperty(settings.replacementGraceSeconds),
    [PROP.batchWindows]: windows ? JSON.stringify(windows) : undefined,
    [PROP.demandQueueUrl]: props.demand?.queue.queueUrl,
    [PROP.demandIdleSeconds]: demand ? numberProperty(demand.idleSeconds) : undefined,
    [PROP.demandMinInferenceUnits]: demand ? numberProperty(demand.minInferenceUnits) : undefined,
    [PROP.demandMaxInferenceUnits]: demand?.maxInferenceUnits === undefined ? undefined : numberProperty(demand.maxInferenceUnits),
    [PROP.holdParameterName]: settings.holdParameterName,
  })) {
    if (value !== undefined) properties[key] = value;
  }
  // Rendered at synth, after Tags.of() has applied; no property at all without tags, so templates without tags stay as they were.
  properties[PROP.tags] = Lazy.string({
    produce: () => (Object.keys(tags()).length === 0 ? undefined : stack.toJsonString(tags())),
  });
  return properties;
}

/** The removal policy as the handler reads it. */
export function removalPolicyProperty(policy: RemovalPolicy): string {
  return policy === RemovalPolicy.RETAIN ? REMOVAL.retain : REMOVAL.destroy;
}

/** A number as the string CloudFormation would deliver (a token stays a token). */
function numberProperty(n: number): string {
  return Token.isUnresolved(n) ? Token.asString(n) : String(n);
}
