/**
 * How long after a bucket closes a CloudWatch query may read it.
 *
 * Elastic Load Balancing measures each minute and sends it to CloudWatch at 60-second intervals, only
 * when requests flowed ("If there are requests flowing through the load balancer, Elastic Load
 * Balancing measures and sends its metrics in 60-second intervals", https://docs.aws.amazon.com/
 * elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html). A minute is therefore
 * sent after it closed, up to a minute later, and readable once CloudWatch has ingested it: the bucket
 * [t, t+60 s) is complete at about t+120 s, 60 s after it closed. The default waits 30 s more for the
 * ingestion, which AWS does not state. A shorter lag reads the last minute while part of it is still
 * on its way (a too-small count, or none: a false NO_DATA tick, or a minute whose 5XX count has not
 * come yet read as no errors); raise it for metrics published later than ELB's. The window is moved
 * back onto whole minutes (complete-points.ts) and the ANALYSIS grid ticks exactly this long after
 * them, so the lag is waited to the second.
 */
export const DEFAULT_CLOUDWATCH_LAG_MS = 90_000;
