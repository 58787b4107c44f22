// Which tags of the ownership record a pass writes (pure): only those whose value differs from the record the pass
// observed. A pass that finds the model where it should be, and the record saying what it would write, writes nothing.
import { OwnershipRecord, tagsOfRecord } from './ownership-record';

/**
 * The tags of `wanted` (tag key to value) whose value the observed record does not already have, or undefined when it
 * has them all: the pass then makes no TagResource call. A value undefined in `wanted` is no write.
 */
export function recordWrites(record: OwnershipRecord, wanted: Readonly<Record<string, string | undefined>>): Record<string, string> | undefined {
  const have = tagsOfRecord(record);
  const writes = Object.fromEntries(Object.entries(wanted).filter((e): e is [string, string] => e[1] !== undefined && have[e[0]] !== e[1]));
  return Object.keys(writes).length > 0 ? writes : undefined;
}
