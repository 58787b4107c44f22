// Pure ARN parsing shared by the construct (synth-time validation) and the handlers (run time).
// No aws-cdk-lib import here: the handler bundle includes this file.

/** The parts of a Rekognition Custom Labels project version ARN. */
export interface ParsedProjectVersionArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly projectName: string;
  readonly versionName: string;
  readonly creationTimestamp: string;
}

const NAME = '[a-zA-Z0-9_.\\-]{1,255}';
const VERSION_ARN = new RegExp(
  `^arn:(aws[a-zA-Z-]*):rekognition:([a-z0-9-]+):(\\d{12}):project/(${NAME})/version/(${NAME})/(\\d{1,20})$`,
);
const PROJECT_ARN = new RegExp(`^arn:(aws[a-zA-Z-]*):rekognition:([a-z0-9-]+):(\\d{12}):project/(${NAME})/(\\d{1,20})$`);

export const VERSION_ARN_FORMAT = 'arn:<partition>:rekognition:<region>:<account>:project/<project name>/version/<version name>/<creation timestamp>';
export const PROJECT_ARN_FORMAT = 'arn:<partition>:rekognition:<region>:<account>:project/<project name>/<creation timestamp>';

/** Parses a project version ARN, or returns undefined when it is not one. */
export function parseProjectVersionArn(arn: string): ParsedProjectVersionArn | undefined {
  if (arn.length < 20 || arn.length > 2048) return undefined;
  const m = VERSION_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1], region: m[2], account: m[3], projectName: m[4], versionName: m[5], creationTimestamp: m[6] };
}

/** Whether a project ARN belongs to the same partition, region, account and project as a version. */
export function projectArnMatchesVersion(projectArn: string, version: ParsedProjectVersionArn): boolean {
  const m = PROJECT_ARN.exec(projectArn);
  return !!m && m[1] === version.partition && m[2] === version.region && m[3] === version.account && m[4] === version.projectName;
}

/**
 * Why a stack cannot run this version, or undefined when it can. The handlers' role and the stack guard act in the
 * stack's own account, so a model runs from a stack of its own account. Another region is fine: the handlers talk to
 * the region in the ARN, and the ownership tag names the stack with its region there (lambda/decisions/ownership-record.ts).
 */
export function placementProblem(version: ParsedProjectVersionArn, stack: { readonly account: string }): string | undefined {
  if (version.account !== stack.account) {
    return `the model is in account ${version.account} and the stack in account ${stack.account}: a stack runs only models of its own account ` +
      "(another account's model can be shared for DetectCustomLabels with fromProjectVersionArn)";
  }
  return undefined;
}

/** The region of an ARN (its fourth field), or undefined when it has none. */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

/** The account and region of a CloudFormation stack id (arn:<partition>:cloudformation:<region>:<account>:stack/...). */
export function stackPlacement(stackId: string): { readonly account: string; readonly region: string } | undefined {
  const m = /^arn:[^:]+:cloudformation:([^:]+):(\d{12}):stack\//.exec(stackId);
  return m ? { region: m[1], account: m[2] } : undefined;
}
