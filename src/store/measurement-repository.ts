import type { Database } from "better-sqlite3";
import type { Measurement } from "../domain/measurement.js";
import { parseJsonColumn } from "./json-column.js";

interface MeasurementRow {
  deployment_id: string;
  stage_idx: number;
  metric: string;
  at: number;
  verdict: string;
  data: string;
}

export class MeasurementRepository {
  constructor(private readonly db: Database) {}

  /** Idempotent: the same (deployment, stage, metric, at) recorded twice is stored once; returns false then. */
  record(m: Measurement): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO measurements (deployment_id, stage_idx, metric, at, verdict, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (deployment_id, stage_idx, metric, at) DO NOTHING`,
      )
      .run(m.deploymentId, m.stageIndex, m.metric, m.at, m.verdict, JSON.stringify(m.data));
    return result.changes === 1;
  }

  /**
   * Per metric of one stage: how many ticks are stored and the time of the last. One aggregate, no
   * decoding: what an analysis checks on every step before reading any tick (see progress-memo.ts).
   */
  tally(deploymentId: string, stageIndex: number): Array<{ metric: string; count: number; lastAt: number }> {
    return this.db
      .prepare(
        `SELECT metric, COUNT(*) AS count, MAX(at) AS lastAt FROM measurements
         WHERE deployment_id = ? AND stage_idx = ? GROUP BY metric`,
      )
      .all(deploymentId, stageIndex) as Array<{ metric: string; count: number; lastAt: number }>;
  }

  /** In time order. */
  list(deploymentId: string, stageIndex: number): Measurement[] {
    const rows = this.db
      .prepare("SELECT * FROM measurements WHERE deployment_id = ? AND stage_idx = ? ORDER BY at, metric")
      .all(deploymentId, stageIndex) as MeasurementRow[];
    return rows.map((r) => ({
      deploymentId: r.deployment_id,
      stageIndex: r.stage_idx,
      metric: r.metric,
      at: r.at,
      verdict: r.verdict,
      data: parseJsonColumn(r.data, `measurement ${r.metric}@${r.at}`),
    }));
  }
}
