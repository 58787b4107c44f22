// What the construct reads of a model's version ARN before it validates anything else: where the model is (the
// parsed ARN, and whether its region is another than the stack's) and its project and version names, tokens included.
import { Fn, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ParsedProjectVersionArn, parseProjectVersionArn } from '../contract/project-version-arn';

/** A model's version ARN as the construct reads it. */
export interface ModelArn {
  readonly versionArn: string;
  /** The ARN's parts; undefined when the ARN is a token, or is not a version ARN (validation refuses that). */
  readonly parsed?: ParsedProjectVersionArn;
  /** The model is in another region than the stack of `scope`: it is that region's, as an imported model is. */
  readonly elsewhere: boolean;
}

/** Reads a model's version ARN, in the stack of `scope`. */
export function readModelArn(scope: IConstruct, versionArn: string): ModelArn {
  const parsed = Token.isUnresolved(versionArn) ? undefined : parseProjectVersionArn(versionArn);
  const home = Stack.of(scope);
  // A model of another region than its stack's is that region's (its metrics read there), as an imported one is.
  const elsewhere = parsed !== undefined && !Token.isUnresolved(home.region) && parsed.region !== home.region;
  return { versionArn, parsed, elsewhere };
}

/** The project and version names of a version ARN: parsed, or cut out of a token at deploy time. */
export function projectAndVersionNames(arn: ModelArn): { readonly projectName: string; readonly versionName: string } {
  const { parsed, versionArn } = arn;
  return {
    projectName: parsed ? parsed.projectName : Fn.select(1, Fn.split('/', versionArn)),
    versionName: parsed ? parsed.versionName : Fn.select(3, Fn.split('/', versionArn)),
  };
}
