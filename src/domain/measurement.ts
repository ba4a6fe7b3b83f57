/**
 * What an analysis records per tick and metric (persisted by store/measurement-repository.ts, drawn by
 * charts/ and views/).
 */
/** One analysis tick of one metric: values, counts, estimate, interval, evidence, p-value, verdict. */
export interface Measurement {
  deploymentId: string;
  stageIndex: number;
  metric: string;
  /** End of the measured window (ms). */
  at: number;
  verdict: string;
  data: Record<string, unknown>;
}
