/**
 * The analysis metrics a stage judges a canary on, as `src/config/` validates them (the vocabulary that
 * analysis/, stages/ and views read). Query strings are still templates, rendered at run time.
 */
/** `{{ .Variant.Name }}` etc. are rendered at run time; the strings here are still templates. */
export interface ThresholdMetric {
  strategy: "THRESHOLD";
  common: MetricCommon;
  query: string;
  expected: { min?: number; max?: number };
}

export interface PreviousMetric {
  strategy: "PREVIOUS";
  common: MetricCommon;
  query: string;
  deviation: Deviation;
}

export interface ComparisonMetric {
  strategy: "CANARY_BASELINE" | "CANARY_PRIMARY";
  common: MetricCommon;
  query: string;
  deviation: Deviation;
  /** Values for `{{ .VariantCustomArgs.x }}` per variant. */
  variantArgs: {
    primary: Record<string, string>;
    canary: Record<string, string>;
    baseline: Record<string, string>;
  };
}

export interface SequentialMetric {
  strategy: "SEQUENTIAL";
  common: MetricCommon;
  /** Query template for the error count of one variant per interval. */
  errors: string;
  /** Query template for the request count of one variant per interval. */
  total: string;
  control: "PRIMARY" | "BASELINE";
  maxRatio: number;
  alpha: number;
  deviation: "HIGH";
  earlyPass: boolean;
  variantArgs: {
    primary: Record<string, string>;
    canary: Record<string, string>;
    baseline: Record<string, string>;
  };
}

export type Deviation = "HIGH" | "LOW" | "EITHER";

export interface MetricCommon {
  /** Display name: the template metric key, or `metrics[i]`. */
  name: string;
  provider: string;
  intervalMs: number;
  /** Fail the metric when failures > failureLimit. */
  failureLimit: number;
  skipOnNoData: boolean;
  /** Per-query timeout. */
  timeoutMs: number;
  dryRun: boolean;
  /** Values for `{{ .AppCustomArgs.x }}` (template `appArgs`). */
  appArgs: Record<string, string>;
}

export type AnalysisMetric = ThresholdMetric | PreviousMetric | ComparisonMetric | SequentialMetric;
