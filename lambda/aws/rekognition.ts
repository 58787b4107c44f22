// Every Rekognition call the handlers make, and nothing else. The client honours AWS_ENDPOINT_URL_REKOGNITION,
// AWS_MAX_ATTEMPTS and AWS_RETRY_MODE from the environment; the construct sets the retry settings per function.
import {
  DescribeProjectsCommand,
  DescribeProjectVersionsCommand,
  ListTagsForResourceCommand,
  RekognitionClient,
  StartProjectVersionCommand,
  StopProjectVersionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-rekognition';
import { regionOfArn } from '../../lib/contract/project-version-arn';
import { cachedClient } from './sdk-clients';
import { ServiceError } from '../decisions/error-verdict';
import { ModelObservation } from '../decisions/model-step';
import { OwnershipRecord, recordFromTags } from '../decisions/ownership-record';
import { ModelRef } from '../model-spec';

/**
 * The Rekognition client of a model's region, created once and reused (lambda/aws/sdk-clients.ts). A model is reached
 * only through its own region's endpoint, which need not be the function's: the region comes from the model's ARN.
 */
export function rekognitionClient(region: string | undefined): RekognitionClient {
  return cachedClient('REKOGNITION', () => new RekognitionClient(region ? { region } : {}), region);
}

/** Why a version's project was not found: where it was looked for (the account and region of the version's ARN). */
export function noSuchProject(spec: ModelRef): string {
  const [, , , region, account] = spec.projectVersionArn.split(':');
  return `${spec.projectVersionArn}: project ${spec.projectName} does not exist in account ${account}, region ${region}`;
}

/** The Rekognition client of the region a version ARN names. */
export function clientFor(versionArn: string): RekognitionClient {
  return rekognitionClient(regionOfArn(versionArn));
}

function isNotFound(e: unknown): boolean {
  return (e as ServiceError)?.name === 'ResourceNotFoundException';
}

/** The fields of an SDK error that the decision logic reads. */
export function toServiceError(e: unknown): ServiceError {
  const err = e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  // A network failure reaches us as Node's own error, named plain 'Error', with what happened in its code
  // (ECONNRESET, ENOTFOUND); a service's error is named after its exception.
  const name = err?.name && err.name !== 'Error' ? err.name : (err?.code ?? err?.name);
  return { name, message: err?.message, httpStatusCode: err?.$metadata?.httpStatusCode };
}

/** The ARN of the named project, or undefined when the account has no such project. */
export async function findProjectArn(client: RekognitionClient, projectName: string): Promise<string | undefined> {
  const out = await client.send(new DescribeProjectsCommand({ ProjectNames: [projectName] }));
  return out.ProjectDescriptions?.find((p) => p.ProjectArn?.split('/')[1] === projectName)?.ProjectArn;
}

/**
 * Project ARNs this function instance has found, by the project part of a version ARN (account, region and project
 * name): a warm function looks a project up once, not at every pass. The remembered ARN may only be stale if the
 * project was deleted (with its versions), and then the version is not found with it: the caller forgets it and looks
 * again (projectArnOf(), forgetProjectArn()).
 */
const projectArns = new Map<string, string>();
const projectKey = (versionArn: string) => versionArn.slice(0, versionArn.indexOf('/version/'));

/**
 * The ARN of the model's project: the declared one, else the one this function instance found before (`remembered`),
 * else DescribeProjects's answer (undefined: no such project).
 */
export async function projectArnOf(client: RekognitionClient, spec: ModelRef & { readonly projectArn?: string }): Promise<{ arn?: string; remembered: boolean }> {
  if (spec.projectArn) return { arn: spec.projectArn, remembered: false };
  const known = projectArns.get(projectKey(spec.projectVersionArn));
  if (known) return { arn: known, remembered: true };
  const arn = await findProjectArn(client, spec.projectName);
  if (arn) projectArns.set(projectKey(spec.projectVersionArn), arn);
  return { arn, remembered: false };
}

/** Forgets a remembered project ARN (the version was not found with it). */
export function forgetProjectArn(spec: ModelRef): void {
  projectArns.delete(projectKey(spec.projectVersionArn));
}

/** The ARNs of every project of the account in the client's region. */
export async function listProjectArns(client: RekognitionClient): Promise<string[]> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const out = await client.send(new DescribeProjectsCommand({ NextToken: token, MaxResults: 100 }));
    for (const p of out.ProjectDescriptions ?? []) if (p.ProjectArn) arns.push(p.ProjectArn);
    token = out.NextToken;
  } while (token);
  return arns;
}

/** Every version of a project with its status (an empty list when the project has gone meanwhile). */
export async function listVersions(client: RekognitionClient, projectArn: string): Promise<{ arn: string; status: string }[]> {
  const versions: { arn: string; status: string }[] = [];
  let token: string | undefined;
  try {
    do {
      const out = await client.send(new DescribeProjectVersionsCommand({ ProjectArn: projectArn, NextToken: token, MaxResults: 100 }));
      for (const v of out.ProjectVersionDescriptions ?? []) if (v.ProjectVersionArn && v.Status) versions.push({ arn: v.ProjectVersionArn, status: v.Status });
      token = out.NextToken;
    } while (token);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  return versions;
}

/** What DescribeProjectVersions says of the version, or undefined when the version (or its project) does not exist. */
export async function describeModel(client: RekognitionClient, spec: ModelRef, projectArn: string): Promise<ModelObservation | undefined> {
  try {
    const out = await client.send(new DescribeProjectVersionsCommand({ ProjectArn: projectArn, VersionNames: [spec.versionName] }));
    // Match the exact ARN: a version deleted and trained again under the same name has a new creation timestamp.
    const d = out.ProjectVersionDescriptions?.find((v) => v.ProjectVersionArn === spec.projectVersionArn);
    if (!d || !d.Status) return undefined;
    return { status: d.Status, statusMessage: d.StatusMessage, minInferenceUnits: d.MinInferenceUnits, maxInferenceUnits: d.MaxInferenceUnits };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** The ownership record on the version; `exists` is false when the version does not exist. */
export async function readRecord(client: RekognitionClient, versionArn: string): Promise<{ exists: boolean; record: OwnershipRecord }> {
  try {
    const out = await client.send(new ListTagsForResourceCommand({ ResourceArn: versionArn }));
    return { exists: true, record: recordFromTags(out.Tags) };
  } catch (e) {
    if (isNotFound(e)) return { exists: false, record: {} };
    throw e;
  }
}

export async function writeRecord(client: RekognitionClient, versionArn: string, tags: Record<string, string>): Promise<void> {
  await client.send(new TagResourceCommand({ ResourceArn: versionArn, Tags: tags }));
}

export async function eraseRecord(client: RekognitionClient, versionArn: string, keys: string[]): Promise<void> {
  try {
    await client.send(new UntagResourceCommand({ ResourceArn: versionArn, TagKeys: keys }));
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

export async function startModel(client: RekognitionClient, versionArn: string, min: number, max: number | undefined): Promise<void> {
  await client.send(new StartProjectVersionCommand({ ProjectVersionArn: versionArn, MinInferenceUnits: min, MaxInferenceUnits: max }));
}

export async function stopModel(client: RekognitionClient, versionArn: string): Promise<void> {
  await client.send(new StopProjectVersionCommand({ ProjectVersionArn: versionArn }));
}
