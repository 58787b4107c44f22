// A model this stack does not run, imported by its ARN (CustomLabelsModel.fromProjectVersionArn): grants and metrics
// work as for one it runs.
import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { VERSION_ARN_FORMAT } from '../contract/project-version-arn';
import { CustomLabelsModelBase } from '../custom-labels-model-base';
import { validationError } from './errors';
import { projectAndVersionNames, readModelArn } from './model-arn';

/** A model this stack does not run, imported by its ARN: grants and metrics work as for one it runs. */
export class ImportedCustomLabelsModel extends CustomLabelsModelBase {
  public readonly projectVersionArn: string;
  public readonly projectName: string;
  public readonly versionName: string;

  constructor(scope: Construct, id: string, arn: string) {
    // Its account and region are the ARN's, as aws-cdk-lib's imported resources take them.
    super(scope, id, { environmentFromArn: Token.isUnresolved(arn) ? undefined : arn });
    const read = readModelArn(this, arn);
    if (!Token.isUnresolved(arn) && !read.parsed) {
      throw validationError('InvalidProjectVersionArn', this, `fromProjectVersionArn needs a Rekognition project version ARN (${VERSION_ARN_FORMAT}), got "${arn}"`);
    }
    this.projectVersionArn = arn;
    const names = projectAndVersionNames(read);
    this.projectName = names.projectName;
    this.versionName = names.versionName;
  }
}
