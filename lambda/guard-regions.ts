// The regions the stack guard looks in, remembered by a custom resource of their own (Custom::RekognitionCustomLabels-
// GuardRegions): the stack's region and every region a model of the stack has been declared in since. A model of a
// region the template no longer names may still run there (a removal's Delete that failed, which CloudFormation
// drops), so a region is never forgotten while the stack lives. CloudFormation hands an update the resource's
// physical id and its previous properties, not their history, so the regions are kept in the physical id; a new id is
// a replacement, whose Delete of the old id is a no-op, as is every Delete of this resource.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { parseProjectVersionArn, regionOfArn } from '../lib/contract/project-version-arn';
import { GUARD_REGIONS } from '../lib/contract/resource-properties';

const ID_PREFIX = 'guard-regions:';

/** The regions a physical id of this resource remembers (none for another id, or a Create's made-up one). */
export function regionsOfPhysicalId(physicalId: string | undefined): string[] {
  if (!physicalId?.startsWith(ID_PREFIX)) return [];
  return physicalId.slice(ID_PREFIX.length).split(',').filter((r) => /^[a-z0-9-]+$/.test(r));
}

/** The regions to remember after a request: the stack's first, then every region remembered or declared, sorted. */
export function rememberedRegions(stackRegion: string, previousPhysicalId: string | undefined, versionArns: readonly string[]): string[] {
  const declared = versionArns.map((arn) => parseProjectVersionArn(arn)?.region).filter((r): r is string => r !== undefined);
  const others = new Set([...regionsOfPhysicalId(previousPhysicalId), ...declared]);
  others.delete(stackRegion);
  return [stackRegion, ...[...others].sort()];
}

/** The physical id that remembers these regions. */
export function guardRegionsPhysicalId(regions: readonly string[]): string {
  return `${ID_PREFIX}${regions.join(',')}`;
}

/** onEvent for this resource: no AWS call; its isComplete finds nothing to wait for at its first poll. */
export function onGuardRegionsEvent(event: CloudFormationCustomResourceEvent): { PhysicalResourceId: string; Data?: Record<string, string>; CustomLabels: { skip: string; deadline: number } } {
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId, CustomLabels: { skip: 'the guard regions resource holds nothing to delete', deadline: 0 } };
  }
  const raw = String(event.ResourceProperties?.[GUARD_REGIONS.versionArns] ?? '[]');
  let arns: unknown;
  try {
    arns = JSON.parse(raw);
  } catch {
    arns = undefined;
  }
  if (!Array.isArray(arns) || !arns.every((a) => typeof a === 'string')) throw new Error(`${GUARD_REGIONS.versionArns} must be a JSON list of version ARNs, got ${raw}`);
  const previous = event.RequestType === 'Update' ? event.PhysicalResourceId : undefined;
  const regions = rememberedRegions(regionOfArn(event.StackId) ?? '', previous, arns as string[]);
  return {
    PhysicalResourceId: guardRegionsPhysicalId(regions),
    Data: { [GUARD_REGIONS.regionsAttr]: regions.join(',') },
    CustomLabels: { skip: `the stack guard looks in ${regions.join(', ')}`, deadline: 0 },
  };
}
