// The model the integration test runs, named by environment variables. Shared by the integ app (integ.model.ts) and
// its post-destroy check (assert-stopped.ts), which integ-runner runs in separate processes with the same environment.

/** The environment variables that name the model. */
export const VERSION_ARN_ENV = 'CUSTOM_LABELS_VERSION_ARN';
export const PROJECT_ARN_ENV = 'CUSTOM_LABELS_PROJECT_ARN';

/** Obviously fake defaults (account 000000000000, project "replace-me"): the app synthesizes offline with them, and a
 * deploy with them fails at once, as no such model exists. */
export const FAKE_VERSION_ARN = 'arn:aws:rekognition:us-east-1:000000000000:project/replace-me/version/replace-me.v1/1000000000000';
export const FAKE_PROJECT_ARN = 'arn:aws:rekognition:us-east-1:000000000000:project/replace-me/1000000000000';

/** The one CloudFormation stack that both test cases deploy. */
export const STACK_NAME = 'CustomLabelsModelInteg';

export interface Units {
  readonly min: number;
  readonly max: number;
}

/** The units of case 1 (start) and case 2 (change units). */
export const START_UNITS: Units = { min: 1, max: 2 };
export const CHANGED_UNITS: Units = { min: 2, max: 3 };

export interface ModelUnderTest {
  readonly versionArn: string;
  readonly projectArn: string;
  /** Whether the ARNs are the fake defaults. */
  readonly fake: boolean;
}

export function modelUnderTest(env: NodeJS.ProcessEnv = process.env): ModelUnderTest {
  const versionArn = env[VERSION_ARN_ENV];
  const projectArn = env[PROJECT_ARN_ENV];
  if (versionArn === undefined && projectArn === undefined) {
    return { versionArn: FAKE_VERSION_ARN, projectArn: FAKE_PROJECT_ARN, fake: true };
  }
  if (!versionArn || !projectArn) {
    throw new Error(`Set both ${VERSION_ARN_ENV} and ${PROJECT_ARN_ENV} (the model and its project), or neither (fake ARNs, synthesis only)`);
  }
  return { versionArn, projectArn, fake: false };
}

/** The version name inside a project version ARN (`.../version/<name>/<timestamp>`). */
export function versionNameOf(versionArn: string): string {
  const m = /:project\/[^/]+\/version\/([^/]+)\/\d+$/.exec(versionArn);
  if (!m) {
    throw new Error(`Not a project version ARN: ${versionArn}`);
  }
  return m[1];
}
