// The SSM parameter names the library creates (running version, hold): hierarchical, so that their ARN is
// `parameter<name>` whatever the name is, also a token (a nested stack's name, a CfnParameter), and IAM can be scoped
// to exactly that parameter.
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validationError } from './errors';

/** SSM's rules for a hierarchical parameter name. */
const NAME = /^\/[a-zA-Z0-9_.\-]+(\/[a-zA-Z0-9_.\-]+)*$/;
const MAX_NAME_CHARACTERS = 1011;
const MAX_LEVELS = 15;

/** Refuses a parameter name SSM would refuse, or one that is not hierarchical; a token is checked by SSM at deploy. */
export function validateParameterName(scope: IConstruct, prop: string, code: string, name: string): void {
  if (Token.isUnresolved(name)) return;
  const levels = name.split('/').length - 1;
  if (!NAME.test(name) || name.length > MAX_NAME_CHARACTERS || levels > MAX_LEVELS || /^\/(aws|ssm)/i.test(name)) {
    throw validationError(code, scope,
      `${prop} must be a hierarchical SSM parameter name: it begins with "/", holds 1 to ${MAX_LEVELS} levels of letters, digits and _ . -, ` +
      `at most ${MAX_NAME_CHARACTERS} characters, and does not begin with /aws or /ssm; got "${name}"`);
  }
}
