// The cost guard's options (the costGuard prop): where its alarms notify, and the inference-unit hour budgets. The
// alarms themselves are built in lib/private/cost-guard-alarms.ts.
import * as sns from 'aws-cdk-lib/aws-sns';

/** Options of the cost guard alarms. */
export interface CostGuardOptions {
  /**
   * Where the alarms send their ALARM and OK notifications.
   * @default - the alarms notify nobody (they still show on the dashboard)
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Inference-unit hours allowed in any rolling 24 hours.
   * @default - no daily budget alarm
   */
  readonly dailyInferenceUnitHourBudget?: number;
  /**
   * Inference-unit hours allowed in any rolling 7 days.
   * @default - no weekly budget alarm
   */
  readonly weeklyInferenceUnitHourBudget?: number;
}
