// Reads the custom resource's properties (always strings, as CloudFormation delivers them) into a typed spec.
import { parseProjectVersionArn, projectArnMatchesVersion, VERSION_ARN_FORMAT } from '../lib/contract/project-version-arn';
import { DEMAND, GRACE_BOUNDS, PROP, REMOVAL, TIMEOUT_BOUNDS } from '../lib/contract/resource-properties';
import { validateWindowTable, WindowTable } from '../lib/contract/weekly-windows';
import { TAG_PREFIX } from '../lib/contract/tags';
import type { DemandDeclaration } from './decisions/demand';

/** Which model: enough to look at it and act on it. */
export interface ModelRef {
  readonly projectVersionArn: string;
  readonly projectName: string;
  readonly versionName: string;
}

/** A model known only by its ARN (one the stack guard found). */
export function modelRef(projectVersionArn: string): ModelRef {
  const parsed = parseProjectVersionArn(projectVersionArn);
  if (!parsed) throw new Error(`not a Rekognition project version ARN: "${projectVersionArn}"`);
  return { projectVersionArn, projectName: parsed.projectName, versionName: parsed.versionName };
}

/** What one CustomLabelsModel resource declares. */
export interface ModelSpec extends ModelRef {
  /** Known when the user passed it; otherwise resolved at run time with DescribeProjects. */
  readonly projectArn?: string;
  readonly minInferenceUnits: number;
  /** Undefined when the model does not autoscale. */
  readonly maxInferenceUnits?: number;
  readonly retainOnDelete: boolean;
  readonly timeoutSeconds: number;
  /** The weekly batch windows; undefined when the model runs all the time. */
  readonly windows?: WindowTable;
  /** The user's tags for the project version (empty without any). */
  readonly tags: Record<string, string>;
  /** Seconds a version this declaration replaces keeps serving after the update (0: stopped at once). */
  readonly replacementGraceSeconds: number;
  /** The model's hold parameter (SSM), read at every pass; undefined when holds are not enabled. */
  readonly holdParameterName?: string;
  /** Demand-driven runs: the queue read at every pass; undefined without demand. */
  readonly demand?: DemandDeclaration;
}

/** Parses a positive integer that CloudFormation may deliver as a string or (from older templates) a number. */
function parseUnits(name: string, value: unknown): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new Error(`${name} must be an integer >= 1, got "${String(value)}"`);
  }
  return Number(text);
}

export function parseModelSpec(props: Record<string, unknown> | undefined): ModelSpec {
  const p = props ?? {};
  const arn = String(p[PROP.projectVersionArn] ?? '');
  const parsed = parseProjectVersionArn(arn);
  if (!parsed) {
    throw new Error(`${PROP.projectVersionArn} must be a Rekognition project version ARN (${VERSION_ARN_FORMAT}), got "${arn}"`);
  }
  const projectArn = p[PROP.projectArn] === undefined || p[PROP.projectArn] === '' ? undefined : String(p[PROP.projectArn]);
  if (projectArn !== undefined && !projectArnMatchesVersion(projectArn, parsed)) {
    throw new Error(`${PROP.projectArn} "${projectArn}" is not the project of ${arn}`);
  }
  const min = parseUnits(PROP.minInferenceUnits, p[PROP.minInferenceUnits] ?? '1');
  const rawMax = p[PROP.maxInferenceUnits];
  const max = rawMax === undefined || rawMax === '' ? undefined : parseUnits(PROP.maxInferenceUnits, rawMax);
  if (max !== undefined && max < min) {
    throw new Error(`${PROP.maxInferenceUnits} (${max}) must be >= ${PROP.minInferenceUnits} (${min})`);
  }
  const removal = String(p[PROP.removalPolicy] ?? REMOVAL.destroy);
  if (removal !== REMOVAL.destroy && removal !== REMOVAL.retain) {
    throw new Error(`${PROP.removalPolicy} must be "${REMOVAL.destroy}" or "${REMOVAL.retain}", got "${removal}"`);
  }
  const timeout = Number(p[PROP.timeoutSeconds] ?? TIMEOUT_BOUNDS.maxSeconds);
  if (!Number.isInteger(timeout) || timeout < TIMEOUT_BOUNDS.minSeconds || timeout > TIMEOUT_BOUNDS.maxSeconds) {
    throw new Error(`${PROP.timeoutSeconds} must be an integer from ${TIMEOUT_BOUNDS.minSeconds} to ${TIMEOUT_BOUNDS.maxSeconds}, got "${String(p[PROP.timeoutSeconds])}"`);
  }
  const rawGrace = p[PROP.replacementGraceSeconds];
  // Absent in templates of older releases of the library: the default.
  const grace = rawGrace === undefined || rawGrace === '' ? GRACE_BOUNDS.defaultSeconds : Number(rawGrace);
  if (!Number.isInteger(grace) || grace < 0 || grace > GRACE_BOUNDS.maxSeconds) {
    throw new Error(`${PROP.replacementGraceSeconds} must be an integer from 0 to ${GRACE_BOUNDS.maxSeconds}, got "${String(rawGrace)}"`);
  }
  let windows: WindowTable | undefined;
  const rawWindows = p[PROP.batchWindows];
  if (rawWindows !== undefined && rawWindows !== '') {
    try {
      windows = JSON.parse(String(rawWindows)) as WindowTable;
    } catch {
      throw new Error(`${PROP.batchWindows} must be a JSON window table, got "${String(rawWindows)}"`);
    }
    const problem = validateWindowTable(windows);
    if (problem) throw new Error(`${PROP.batchWindows}: ${problem}`);
  }
  const rawHold = p[PROP.holdParameterName];
  const holdParameterName = rawHold === undefined || rawHold === '' ? undefined : String(rawHold);
  return {
    windows,
    holdParameterName,
    demand: parseDemand(p, min, max),
    tags: parseTags(p[PROP.tags]),
    projectVersionArn: arn,
    projectName: parsed.projectName,
    versionName: parsed.versionName,
    projectArn,
    minInferenceUnits: min,
    maxInferenceUnits: max,
    retainOnDelete: removal === REMOVAL.retain,
    timeoutSeconds: timeout,
    replacementGraceSeconds: grace,
  };
}

/** The Tags property: a JSON object of strings, its keys not the library's own. */
function parseTags(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === '') return {};
  let tags: unknown;
  try {
    tags = JSON.parse(String(raw));
  } catch {
    throw new Error(`${PROP.tags} must be a JSON object of tags, got "${String(raw)}"`);
  }
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags) || Object.values(tags).some((v) => typeof v !== 'string')) {
    throw new Error(`${PROP.tags} must be a JSON object of string values, got "${String(raw)}"`);
  }
  const own = Object.keys(tags).filter((k) => k.startsWith(TAG_PREFIX));
  if (own.length > 0) throw new Error(`${PROP.tags} may not set the library's own tags (${own.join(', ')})`);
  return tags as Record<string, string>;
}

/** The demand properties: a queue URL, the idle time within its bounds, and units (the model's own by default). */
function parseDemand(p: Record<string, unknown>, min: number, max: number | undefined): DemandDeclaration | undefined {
  const url = p[PROP.demandQueueUrl];
  if (url === undefined || url === '') return undefined;
  const rawIdle = p[PROP.demandIdleSeconds];
  const idle = rawIdle === undefined || rawIdle === '' ? DEMAND.defaultIdleSeconds : Number(rawIdle);
  if (!Number.isInteger(idle) || idle < DEMAND.minIdleSeconds || idle > DEMAND.maxIdleSeconds) {
    throw new Error(`${PROP.demandIdleSeconds} must be an integer from ${DEMAND.minIdleSeconds} to ${DEMAND.maxIdleSeconds}, got "${String(rawIdle)}"`);
  }
  const rawMin = p[PROP.demandMinInferenceUnits];
  const rawMax = p[PROP.demandMaxInferenceUnits];
  const dMin = rawMin === undefined || rawMin === '' ? min : parseUnits(PROP.demandMinInferenceUnits, rawMin);
  const dMax = rawMax === undefined || rawMax === '' ? (rawMin === undefined || rawMin === '' ? max : undefined) : parseUnits(PROP.demandMaxInferenceUnits, rawMax);
  if (dMax !== undefined && dMax < dMin) throw new Error(`${PROP.demandMaxInferenceUnits} (${dMax}) must be >= ${PROP.demandMinInferenceUnits} (${dMin})`);
  return { queueUrl: String(url), idleSeconds: idle, minInferenceUnits: dMin, ...(dMax !== undefined ? { maxInferenceUnits: dMax } : {}) };
}
