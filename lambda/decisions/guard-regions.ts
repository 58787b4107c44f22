// The regions the stack guard looks in, as the guard regions resource remembers them in its physical id (pure).
import { parseProjectVersionArn } from '../../lib/contract/project-version-arn';

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
