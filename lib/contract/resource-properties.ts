// The contract between the construct, which writes these custom resource properties, and the handlers, which read
// them. CloudFormation delivers every property as a string, so numbers and booleans are written as strings here too.

/** Property names of the Custom::RekognitionCustomLabelsModel resource. */
export const PROP = {
  projectVersionArn: 'ProjectVersionArn',
  projectArn: 'ProjectArn',
  minInferenceUnits: 'MinInferenceUnits',
  maxInferenceUnits: 'MaxInferenceUnits',
  removalPolicy: 'RemovalPolicy',
  timeoutSeconds: 'TimeoutSeconds',
  /** The weekly window table as JSON (lib/contract/weekly-windows.ts WindowTable), when the model has batch windows. */
  batchWindows: 'BatchWindows',
  /** The user's tags for the model (Tags.of() and the tags prop) as a JSON object, when it has any. */
  tags: 'Tags',
  /** Seconds a version this update replaces keeps serving before it is stopped (the replacement grace period). */
  replacementGraceSeconds: 'ReplacementGracePeriodSeconds',
  /** The name of the model's hold parameter (SSM), when holds are enabled: every pass reads it. */
  holdParameterName: 'HoldParameterName',
  /** Demand-driven runs (lambda/decisions/demand.ts): the queue's URL, the idle time in seconds, and the units, when set. */
  demandQueueUrl: 'DemandQueueUrl',
  demandIdleSeconds: 'DemandIdleSeconds',
  demandMinInferenceUnits: 'DemandMinInferenceUnits',
  demandMaxInferenceUnits: 'DemandMaxInferenceUnits',
} as const;

/**
 * Demand-driven runs: the idle time's bounds and default (seconds), the periodic pass's period, and the value of the
 * memory tag once a pass has seen messages.
 */
export const DEMAND = { minIdleSeconds: 60, maxIdleSeconds: 24 * 3600, defaultIdleSeconds: 15 * 60, passMinutes: 1, busyTag: 'busy' } as const;

/**
 * Holds (lambda/decisions/hold.ts): the value of a hold parameter that means "no hold" (what the stack creates it with and what a
 * release writes back), how far ahead of the moment it is set a hold may end, and how often a model with holds (or
 * windows) is looked at: a hold takes effect at the next pass.
 */
export const HOLD = { none: 'none', maxDays: 7, passMinutes: 5 } as const;

/** The values of the RemovalPolicy property. */
export const REMOVAL = { destroy: 'destroy', retain: 'retain' } as const;

/** The custom resource type. */
export const RESOURCE_TYPE = 'Custom::RekognitionCustomLabelsModel';

/**
 * The resource that remembers the regions the stack guard looks in (lambda/handlers/guard-regions.ts): its one property, the
 * stack's declared version ARNs as a JSON list, and its attribute, the regions as a comma-separated list.
 */
export const GUARD_REGIONS = {
  resourceType: 'Custom::RekognitionCustomLabelsGuardRegions',
  versionArns: 'ProjectVersionArns',
  regionsAttr: 'Regions',
} as const;

/** Attribute names the handler returns in Data (read with getAtt). */
export const ATTR = {
  projectArn: 'ProjectArn',
} as const;

/** Bounds of the deploy timeout, in seconds: CloudFormation waits at most an hour for a custom resource, and the
 * handler's own deadline must fire early enough for its message to reach CloudFormation first. */
export const TIMEOUT_BOUNDS = { minSeconds: 60, maxSeconds: 55 * 60 } as const;

/** Bounds of the replacement grace period, in seconds: the cleanup delete that keeps the old version serving must
 * still stop it (minutes) within its own deadline (TIMEOUT_BOUNDS.maxSeconds), so the grace ends 25 minutes before. */
export const GRACE_BOUNDS = { defaultSeconds: 5 * 60, maxSeconds: 30 * 60 } as const;

/** The metric the scheduled path publishes, as an Embedded Metric Format log line: the most units the model should
 * have now (0 outside its batch windows). The construct's alarms and dashboard read it. */
export const EXPECTED_UNITS_METRIC = { namespace: 'RekognitionCustomLabels/Schedule', metricName: 'ExpectedInferenceUnits' } as const;

/** The tag keys and values Rekognition takes (its API reference: TagKey, TagValue). */
export const TAG_RULES = {
  key: /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u,
  value: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u,
} as const;
