// The SSM parameter names the library creates (running version, hold): hierarchical, so that their ARN is
// `parameter<name>` whatever the name is, also a token (a nested stack's name, a CfnParameter), and IAM can be scoped
// to exactly that parameter.
import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
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

/** The characters of a construct id that an SSM name level takes as they are; the others become `-`. */
const LEVEL_CHARACTER = /[^a-zA-Z0-9_.\-]/g;

/**
 * The default name of a model's parameter (`hold`, `running-version`), readable by an operator:
 * `/rekognition-custom-labels/<stack name>/<construct path in the stack>/<leaf>`. Within SSM's rules: characters it
 * refuses become `-`, path levels past its 15 are joined with `.`, and a name over 1,011 characters is cut, with a
 * hash of the whole, to fit.
 */
export function defaultParameterName(model: IConstruct, leaf: string): string {
  const stack = Stack.of(model);
  const scopes = model.node.scopes;
  const path = scopes.slice(scopes.indexOf(stack) + 1).map((s) => s.node.id.replace(LEVEL_CHARACTER, '-'));
  const fixed = ['rekognition-custom-labels', stack.stackName];
  const room = MAX_LEVELS - fixed.length - 1;
  const levels = path.length <= room ? path : [...path.slice(0, room - 1), path.slice(room - 1).join('.')];
  const name = `/${[...fixed, ...levels, leaf].join('/')}`;
  if (Token.isUnresolved(name) || name.length <= MAX_NAME_CHARACTERS) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  const tail = `-${hash}/${leaf}`;
  return `${name.slice(0, MAX_NAME_CHARACTERS - tail.length).replace(/\/+$/, '')}${tail}`;
}

/** SSM's limit on a parameter's description. */
const MAX_DESCRIPTION_CHARACTERS = 1024;

/** A parameter's description within SSM's limit: a deep construct path is cut at its start, where it repeats least. */
export function parameterDescription(text: string): string {
  return text.length <= MAX_DESCRIPTION_CHARACTERS ? text : `...${text.slice(text.length - MAX_DESCRIPTION_CHARACTERS + 3)}`;
}
