/**
 * How long before now a CloudWatch query window must end for its buckets to be complete.
 *
 * Elastic Load Balancing measures each minute and sends it to CloudWatch at 60-second intervals, only
 * when requests flowed ("If there are requests flowing through the load balancer, Elastic Load
 * Balancing measures and sends its metrics in 60-second intervals", https://docs.aws.amazon.com/
 * elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html). A minute is therefore
 * sent only after it closed, up to a minute later, and becomes readable once CloudWatch has ingested
 * it: the bucket [t, t+60 s) is complete at about t+120 s. A shorter lag reads the last minute while
 * part of it is still on its way (a too-small count, or none: a false NO_DATA tick); the window shift
 * is in whole minutes either way (complete-points.ts), so 2 minutes is the least that works.
 */
export const DEFAULT_CLOUDWATCH_LAG_MS = 120_000;
