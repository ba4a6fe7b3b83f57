/**
 * The store: one SQLite database and its repositories. Opening migrates to the newest schema (and
 * refuses a database newer than the code). `transaction` groups repository calls atomically — the
 * engine uses it so that every transition is recorded together with its timeline event.
 */
import type { Database } from "better-sqlite3";
import { CommandRepository } from "./command-repository.js";
import { DeploymentRepository } from "./deployment-repository.js";
import { EventRepository } from "./event-repository.js";
import { FreezeOverrideRepository } from "./freeze-override-repository.js";
import { LeaseRepository } from "./lease-repository.js";
import { LockRepository } from "./lock-repository.js";
import { MeasurementRepository } from "./measurement-repository.js";
import { defaultMigrationsDir, loadMigrations, type MigrationReport, migrate } from "./migrate.js";
import { openDatabase } from "./open-database.js";
import { SlackDeliveryRepository } from "./slack-delivery-repository.js";
import { SlackThreadRepository } from "./slack-thread-repository.js";
import { StageRepository } from "./stage-repository.js";

export class Store {
  readonly deployments: DeploymentRepository;
  readonly stages: StageRepository;
  readonly events: EventRepository;
  readonly commands: CommandRepository;
  readonly measurements: MeasurementRepository;
  readonly locks: LockRepository;
  readonly lease: LeaseRepository;
  readonly slackThreads: SlackThreadRepository;
  readonly slackDeliveries: SlackDeliveryRepository;
  readonly freezeOverrides: FreezeOverrideRepository;

  constructor(readonly db: Database) {
    this.deployments = new DeploymentRepository(db);
    this.stages = new StageRepository(db);
    this.events = new EventRepository(db);
    this.commands = new CommandRepository(db);
    this.measurements = new MeasurementRepository(db);
    this.locks = new LockRepository(db);
    this.lease = new LeaseRepository(db);
    this.slackThreads = new SlackThreadRepository(db);
    this.slackDeliveries = new SlackDeliveryRepository(db);
    this.freezeOverrides = new FreezeOverrideRepository(db);
  }

  /** Runs `fn` in one IMMEDIATE transaction (so read-then-write never races another process). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    this.db.close();
  }
}

export interface OpenedStore {
  store: Store;
  migration: MigrationReport;
}

export function openStore(path: string, migrationsDir: string = defaultMigrationsDir()): OpenedStore {
  const db = openDatabase(path);
  try {
    const migration = migrate(db, loadMigrations(migrationsDir));
    return { store: new Store(db), migration };
  } catch (error) {
    db.close();
    throw error;
  }
}
