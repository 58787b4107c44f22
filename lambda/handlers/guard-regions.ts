// The regions the stack guard looks in, remembered by a custom resource of their own (Custom::RekognitionCustomLabels-
// GuardRegions): the stack's region and every region a model of the stack has been declared in since. A model of a
// region the template no longer names may still run there (a removal's Delete that failed, which CloudFormation
// drops), so a region is never forgotten while the stack lives. CloudFormation hands an update the resource's
// physical id and its previous properties, not their history, so the regions are kept in the physical id; a new id is
// a replacement, whose Delete of the old id is a no-op, as is every Delete of this resource.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { regionOfArn } from '../../lib/contract/project-version-arn';
import { GUARD_REGIONS } from '../../lib/contract/resource-properties';
import { guardRegionsPhysicalId, rememberedRegions } from '../decisions/guard-regions';

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
