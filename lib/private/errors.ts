// Errors a user can act on, as aws-cdk-lib throws its own: the CLI prints a ValidationError as one line
// («name» path: message), a trace cut to the user's frames and the construct's place in the tree, with no code frame
// out of the library's sources, and `Errors.isValidationError()` recognizes it.
import { UnscopedValidationError, ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

// aws-cdk-lib types the name as a branded literal string; ours are literals too.
type ErrorName = ConstructorParameters<typeof ValidationError>[0];

/** A prop or call of this construct that cannot deploy: names the construct's path first. */
export function validationError(name: string, scope: IConstruct, message: string): Error {
  return new ValidationError(name as ErrorName, `${scope.node.path}: ${message}`, scope);
}

/** The same, for a value built before it is given to a construct (a WeeklyTime, say). */
export function unscopedValidationError(name: string, message: string): Error {
  return new UnscopedValidationError(name as ErrorName, message);
}
