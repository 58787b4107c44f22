// cdk-nag AwsSolutions findings the library acknowledges on its own constructs, each with the reason it is by design.
import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag AwsSolutions finding on a construct of this library, with the reason it is by design.
 * @param finding the rule, with the finding id where the rule reports one (`AwsSolutions-IAM5[Resource::*]`)
 */
export function acknowledgeFinding(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${finding}`, reason });
}
