/**
 * Stage states and deployment contexts are checked against their schemas where the store reads them:
 * each kind's state and the context round-trip; rows written by the previous release read as before;
 * a row that does not fit is reported on the stage or deployment with what is wrong, and nothing else
 * of the deployment becomes unreadable.
 */
import { describe, expect, it } from "vitest";
import type { Deployment, Stage } from "../../src/domain/deployment.js";
import type { DeploymentContext } from "../../src/domain/deployment-context.js";
import type { StageKind } from "../../src/domain/stage-kind.js";
import type { StageState } from "../../src/domain/stage-state.js";
import { openStore, type Store } from "../../src/store/store.js";
import { toyAppConfig } from "../fixtures/toy-app.js";

const ID = "web-1";

function deployment(context: DeploymentContext = {}): Deployment {
  return {
    id: ID,
    app: "web",
    version: "v2",
    previousVersion: "v1",
    requester: "U_ALICE",
    reason: "",
    status: "RUNNING",
    statusReason: "",
    rollbackCause: undefined,
    createdAt: 1000,
    startedAt: 1000,
    finishedAt: undefined,
    deadlineAt: 9000,
    appConfig: toyAppConfig(),
    access: { approvers: [], fourEyes: false },
    context,
  };
}

/** A stage of `kind` at `index` with `state`; options do not matter to the store. */
function stage<K extends StageKind>(kind: K, index: number, state: StageState<K>): Stage {
  return {
    deploymentId: ID,
    index,
    kind,
    stageId: `stage-${index}`,
    description: "",
    visible: kind !== "ROLLBACK",
    options: {},
    timeoutMs: 60_000,
    status: "RUNNING",
    statusReason: "",
    state,
    attempts: 1,
    startedAt: 1000,
    finishedAt: undefined,
  };
}

const approval = {
  request: { approvers: ["U_BOB"], minApproverNum: 2, question: "Promote v2?" },
  approvals: [{ actor: "U_BOB", at: 1500 }],
};

/** One state per kind, with every field the kind keeps. */
const FULL_STATES: Stage[] = [
  stage("ECS_SYNC", 0, { primaryStableBy: 5000, primaryPolls: 3 }),
  stage("ECS_CANARY_ROLLOUT", 1, { canaryStableBy: 5000, canaryPolls: 1 }),
  stage("ECS_BASELINE_ROLLOUT", 2, { baselineStableBy: 5000, baselinePolls: 0 }),
  stage("ECS_TRAFFIC_ROUTING", 3, {}),
  stage("ECS_PRIMARY_ROLLOUT", 4, { primaryStableBy: 6000, primaryPolls: 2 }),
  stage("ECS_CANARY_CLEAN", 5, {}),
  stage("ECS_BASELINE_CLEAN", 6, {}),
  stage("ANALYSIS", 7, {
    approval,
    analysisStart: 1200,
    analysisEnd: 1_921_200,
    sequentialPrior: { centre: 1.8, spread: 0.2, tail: 0.05, late: 0.3, lateFrom: 4, lateScale: 10 },
    sequentialHorizonMs: 1_800_000,
    rateLimitedTicks: { errors: 61_200 },
  }),
  stage("WAIT", 8, { deadlineAt: 7000 }),
  stage("WAIT_APPROVAL", 9, { deadlineAt: 8000, approval }),
  stage("ROLLBACK", 10, {
    trafficRestored: true,
    restoreStableBy: 9000,
    restorePolls: 4,
    rollbackBlock: { since: 2000, attempts: 2, error: "ServiceUnavailable", transient: true, retryAt: 2500 },
  }),
];

function storeWith(stages: Stage[], context: DeploymentContext = {}): Store {
  const { store } = openStore(":memory:");
  store.deployments.insert(deployment(context));
  for (const s of stages) store.stages.insert(s);
  return store;
}

/** Writes a column as raw JSON, as an earlier release or a damaged disk may have left it. */
function writeRaw(store: Store, column: "state" | "context", index: number, json: string): void {
  if (column === "context") {
    store.db.prepare("UPDATE deployments SET context = ? WHERE id = ?").run(json, ID);
  } else {
    store.db.prepare("UPDATE stages SET state = ? WHERE deployment_id = ? AND idx = ?").run(json, ID, index);
  }
}

const RULE_ARN = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener-rule/app/lb/1/2/3";
const LISTENER_ARN = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/lb/1/2";
const BLUE = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web-blue/1";

describe("typed stage state in the store", () => {
  it("round-trips every kind's state", () => {
    const store = storeWith(FULL_STATES);
    expect(store.stages.list(ID)).toEqual(FULL_STATES);
    for (const s of FULL_STATES) expect(store.stages.get(ID, s.index)?.stateProblem).toBeUndefined();
  });

  it("round-trips the deployment context, rules with and without a rule ARN and stickiness", () => {
    const context: DeploymentContext = {
      previousTaskDefinitionArn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
      previousPrimaryTaskSetArn: null,
      serviceExisted: true,
      taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:2",
      forwardRules: [
        {
          listenerArn: LISTENER_ARN,
          ruleArn: undefined,
          targetGroups: [{ targetGroupArn: BLUE, weight: 100 }],
          stickiness: undefined,
          actions: [{ Type: "forward" }],
        },
        {
          listenerArn: LISTENER_ARN,
          ruleArn: RULE_ARN,
          targetGroups: [{ targetGroupArn: BLUE, weight: 100 }],
          stickiness: { enabled: true, durationSeconds: undefined },
          actions: [{ Type: "authenticate-oidc" }, { Type: "forward" }],
        },
      ],
    };
    const store = storeWith([], context);
    expect(store.deployments.get(ID)).toEqual(deployment(context));
  });

  it("reads the rows the previous release wrote: retry:<metric> keys become rateLimitedTicks", () => {
    const store = storeWith([stage("ANALYSIS", 0, {}), stage("ROLLBACK", 1, {})]);
    writeRaw(
      store,
      "state",
      0,
      '{"analysisStart":60000,"retry:errors":120000,"retry:p99":180000,"approval":{"request":{"approvers":[],"minApproverNum":1,"question":"Approve?"},"approvals":[]}}',
    );
    writeRaw(store, "state", 1, '{"trafficRestored":true,"restorePolls":1,"restoreStableBy":960000}');
    writeRaw(
      store,
      "context",
      0,
      `{"previousTaskDefinitionArn":null,"previousPrimaryTaskSetArn":null,"serviceExisted":false,"taskDefinitionArn":"td:2","forwardRules":[{"listenerArn":"${LISTENER_ARN}","targetGroups":[{"targetGroupArn":"${BLUE}","weight":100}],"actions":[]}]}`,
    );
    const [analysis, rollback] = store.stages.list(ID);
    expect(analysis?.stateProblem).toBeUndefined();
    expect(analysis?.state).toEqual({
      analysisStart: 60_000,
      rateLimitedTicks: { errors: 120_000, p99: 180_000 },
      approval: { request: { approvers: [], minApproverNum: 1, question: "Approve?" }, approvals: [] },
    });
    expect(rollback?.state).toEqual({ trafficRestored: true, restorePolls: 1, restoreStableBy: 960_000 });
    const d = store.deployments.get(ID);
    expect(d?.contextProblem).toBeUndefined();
    expect(d?.context.forwardRules?.[0]).toEqual({
      listenerArn: LISTENER_ARN,
      ruleArn: undefined,
      targetGroups: [{ targetGroupArn: BLUE, weight: 100 }],
      stickiness: undefined,
      actions: [],
    });
    expect(d?.context.previousTaskDefinitionArn).toBeNull();
  });

  it("drops keys no release reads instead of refusing the row", () => {
    const store = storeWith([stage("WAIT", 0, {})]);
    writeRaw(store, "state", 0, '{"deadlineAt":7000,"trafficRestored":true,"note":"x"}');
    expect(store.stages.get(ID, 0)).toMatchObject({ state: { deadlineAt: 7000 } });
    expect(store.stages.get(ID, 0)?.state).toEqual({ deadlineAt: 7000 });
  });

  it("reports a corrupt state on its stage, saying which field is wrong, and reads the others", () => {
    const store = storeWith([stage("WAIT", 0, {}), stage("WAIT_APPROVAL", 1, { deadlineAt: 8000 })]);
    writeRaw(store, "state", 0, '{"deadlineAt":"tomorrow"}');
    const [wait, approvalStage] = store.stages.list(ID);
    expect(wait?.state).toEqual({});
    expect(wait?.stateProblem).toBe(
      `the state of stage 0 of ${ID} (WAIT) is corrupt: deadlineAt is not a number: "tomorrow"`,
    );
    expect(approvalStage?.state).toEqual({ deadlineAt: 8000 });
    expect(approvalStage?.stateProblem).toBeUndefined();
  });

  it("names nested fields and a horizon that is not a duration", () => {
    const store = storeWith([stage("ANALYSIS", 0, {}), stage("ROLLBACK", 1, {})]);
    writeRaw(
      store,
      "state",
      0,
      '{"sequentialHorizonMs":-5,"approval":{"request":{"approvers":[],"minApproverNum":1,"question":"?"},"approvals":[{"at":3}]}}',
    );
    writeRaw(store, "state", 1, '{"rollbackBlock":{"since":1,"attempts":1,"error":"x","retryAt":2}}');
    const [analysis, rollback] = store.stages.list(ID);
    expect(analysis?.stateProblem).toBe(
      `the state of stage 0 of ${ID} (ANALYSIS) is corrupt: approval.approvals.0.actor is missing; sequentialHorizonMs is not a positive duration in ms: -5`,
    );
    expect(rollback?.stateProblem).toMatch(/\(ROLLBACK\) is corrupt: rollbackBlock\.transient is missing$/);
  });

  it("reports a state that is not JSON, and a corrupt context on the deployment", () => {
    const store = storeWith([stage("WAIT", 0, {})]);
    writeRaw(store, "state", 0, "{deadlineAt:");
    writeRaw(store, "context", 0, '{"forwardRules":"all of them","taskDefinitionArn":7}');
    expect(store.stages.get(ID, 0)?.stateProblem).toMatch(
      new RegExp(`^the state of stage 0 of ${ID} \\(WAIT\\) is not JSON \\(.+\\)$`),
    );
    const d = store.deployments.get(ID);
    expect(d?.context).toEqual({});
    expect(d?.contextProblem).toBe(
      `the context of deployment ${ID} is corrupt: taskDefinitionArn is not a string: 7; forwardRules is not an array: "all of them"`,
    );
    // The rest of the row still reads: views and commands keep working on it.
    expect(d?.status).toBe("RUNNING");
    expect(store.deployments.active().map((a) => a.id)).toEqual([ID]);
  });
});
