/**
 * Listener and rule actions as AWS validates and stores them. A forward action is normalised the way
 * ELBv2 reports it: a plain `TargetGroupArn` becomes one target group of weight 1, weights default to 1,
 * stickiness defaults to disabled. Other actions (redirect, fixed-response, authenticate-*) are kept as
 * sent and echoed back untouched.
 */
import { ApiError } from "./api-error.js";
import type { ActionRecord, EchoTree, ForwardActionRecord } from "./world-types.js";

/** An action as the request carried it, after shape validation; `raw` is the original parameters. */
export interface ActionInput {
  Type: string;
  TargetGroupArn?: string | undefined;
  Order?: number | undefined;
  ForwardConfig?:
    | {
        TargetGroups?: Array<{ TargetGroupArn: string; Weight?: number | undefined }> | undefined;
        TargetGroupStickinessConfig?:
          | { Enabled?: boolean | undefined; DurationSeconds?: number | undefined }
          | undefined;
      }
    | undefined;
  raw: EchoTree;
}

const TERMINAL = new Set(["forward", "redirect", "fixed-response"]);
const KNOWN = new Set([...TERMINAL, "authenticate-oidc", "authenticate-cognito", "jwt-validation"]);
const MAX_GROUPS = 5;

/** What the conversion needs to know about target groups. */
export interface TargetGroupLookup {
  exists(targetGroupArn: string): boolean;
  /** Load balancers already routing to the group. */
  loadBalancersOf(targetGroupArn: string): string[];
}

/**
 * Validates `inputs` for a listener or rule of load balancer `loadBalancerArn` and returns them as
 * stored. Throws ApiError with AWS's codes (ValidationError, TargetGroupNotFound,
 * TargetGroupAssociationLimit).
 */
export function toActionRecords(
  inputs: readonly ActionInput[],
  loadBalancerArn: string,
  groups: TargetGroupLookup,
): ActionRecord[] {
  if (inputs.length === 0) throw new ApiError("ValidationError", "At least one action must be specified");
  const terminal = inputs.filter((a) => TERMINAL.has(a.Type));
  if (terminal.length !== 1) {
    throw new ApiError(
      "ValidationError",
      "A rule must contain exactly one action of type 'forward', 'redirect' or 'fixed-response'",
    );
  }
  return inputs.map((input) => {
    if (!KNOWN.has(input.Type)) {
      throw new ApiError("ValidationError", `Action type '${input.Type}' is not valid`);
    }
    if (
      input.Order !== undefined &&
      (input.Order < 1 || input.Order > 50_000 || !Number.isInteger(input.Order))
    ) {
      throw new ApiError("ValidationError", "Action order must be an integer between 1 and 50000");
    }
    if (input.Type !== "forward") {
      return { type: "other", actionType: input.Type, order: input.Order, raw: input.raw };
    }
    return toForward(input, loadBalancerArn, groups);
  });
}

function toForward(
  input: ActionInput,
  loadBalancerArn: string,
  groups: TargetGroupLookup,
): ForwardActionRecord {
  const tuples = input.ForwardConfig?.TargetGroups ?? [];
  if (tuples.length === 0 && input.TargetGroupArn === undefined) {
    throw new ApiError(
      "ValidationError",
      "A forward action must specify a target group ARN or a forward config",
    );
  }
  if (input.TargetGroupArn !== undefined && tuples.length > 0) {
    if (tuples.length !== 1 || tuples[0]?.TargetGroupArn !== input.TargetGroupArn) {
      throw new ApiError(
        "ValidationError",
        "You can specify both a top-level target group ARN and a target group ARN within the forward config only if the ARNs match",
      );
    }
  }
  const targetGroups =
    tuples.length > 0
      ? tuples.map((t) => ({ targetGroupArn: t.TargetGroupArn, weight: t.Weight ?? 1 }))
      : [{ targetGroupArn: input.TargetGroupArn ?? "", weight: 1 }];
  if (targetGroups.length > MAX_GROUPS) {
    throw new ApiError("ValidationError", `A forward action can have at most ${MAX_GROUPS} target groups`);
  }
  const seen = new Set<string>();
  for (const { targetGroupArn, weight } of targetGroups) {
    if (seen.has(targetGroupArn)) {
      throw new ApiError("ValidationError", `Target group '${targetGroupArn}' is specified more than once`);
    }
    seen.add(targetGroupArn);
    if (!Number.isInteger(weight) || weight < 0 || weight > 999) {
      throw new ApiError("ValidationError", "Target group weight must be an integer between 0 and 999");
    }
    if (!groups.exists(targetGroupArn)) {
      throw new ApiError("TargetGroupNotFound", `Target groups '${targetGroupArn}' not found`);
    }
    const others = groups.loadBalancersOf(targetGroupArn).filter((lb) => lb !== loadBalancerArn);
    if (others.length > 0) {
      throw new ApiError(
        "TargetGroupAssociationLimit",
        `The following target groups cannot be associated with more than one load balancer: ${targetGroupArn}`,
      );
    }
  }
  const sticky = input.ForwardConfig?.TargetGroupStickinessConfig;
  const duration = sticky?.DurationSeconds;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 1 || duration > 604_800)) {
    throw new ApiError("ValidationError", "Stickiness duration must be between 1 and 604800 seconds");
  }
  return {
    type: "forward",
    order: input.Order,
    targetGroups,
    stickiness: { enabled: sticky?.Enabled ?? false, durationSeconds: duration },
  };
}

/** The target groups an action list forwards to. */
export function forwardedGroups(actions: readonly ActionRecord[]): string[] {
  return actions.flatMap((a) => (a.type === "forward" ? a.targetGroups.map((g) => g.targetGroupArn) : []));
}
