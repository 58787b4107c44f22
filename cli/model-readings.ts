// What the command line reads of one deployed model, in at most four calls (and one per project): its status and
// units (DescribeProjectVersions), its hold parameter (GetParameter), and, with demand, its queue's message counts
// (GetQueueAttributes) and the demand memory on its record (ListTagsForResource). The same readers as the handlers'.
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import { readQueue } from '../lambda/aws/demand-queue';
import { readHoldParameter } from '../lambda/aws/hold-parameter';
import { describeModel, findProjectArn, noSuchProject, readRecord } from '../lambda/aws/rekognition';
import type { DesiredStateInputs } from '../lambda/decisions/desired-state';
import type { ModelObservation } from '../lambda/decisions/model-step';
import { regionOfArn } from '../lib/contract/project-version-arn';
import type { AwsClients } from './aws-clients';
import type { DeployedModel } from './deployed-models';

export interface ModelReadings {
  /** Undefined when the version does not exist. */
  readonly observed?: ModelObservation;
  readonly inputs: DesiredStateInputs;
}

/** Reads one model. `projects` caches project ARNs by region and name, so that models of one project share one call. */
export async function readModel(aws: AwsClients, model: DeployedModel, projects: Map<string, Promise<string | undefined>>): Promise<ModelReadings> {
  const spec = model.spec;
  const rekognition: RekognitionClient = aws.rekognition(regionOfArn(spec.projectVersionArn));
  const key = `${regionOfArn(spec.projectVersionArn)}/${spec.projectName}`;
  if (!spec.projectArn && !projects.has(key)) projects.set(key, findProjectArn(rekognition, spec.projectName));
  const projectArn = spec.projectArn ?? (await projects.get(key));
  if (!projectArn) throw new Error(noSuchProject(spec));
  const [observed, hold, demand] = await Promise.all([
    describeModel(rekognition, spec, projectArn),
    spec.holdParameterName ? readHoldParameter(spec.holdParameterName, aws.ssm) : Promise.resolve(undefined),
    spec.demand
      ? Promise.all([readQueue(spec.demand.queueUrl, aws.sqs), readRecord(rekognition, spec.projectVersionArn)])
      : Promise.resolve(undefined),
  ]);
  return { observed, inputs: { hold, queue: demand?.[0], demandMemory: demand?.[1].record.demandEmptySince } };
}
