/**
 * Who may deploy and approve an app, and where its PipeCD config lives: one `apps:` entry of kanaria.yaml,
 * as `src/config/` resolves it (this is the vocabulary; config/ parses into it).
 */
/** One app as kanaria.yaml lists it: where its PipeCD config lives and who may do what. */
export interface AppEntry {
  name: string;
  /** Absolute folder holding `app.pipecd.yaml` (or the file named by `configFile`). */
  dir: string;
  /** Absolute path of the app config file. */
  configFile: string;
  /** Name of the `cloudProviders` entry to deploy with. */
  cloudProvider: string;
  /** Slack channel ids where `/deploy <app>` is accepted; empty = any channel. */
  channels: string[];
  /** Slack user ids / user group ids (`S…`) allowed to deploy; empty = anyone in an allowed channel. */
  deployers: string[];
  /** Slack user ids / user group ids allowed to approve; empty = anyone except as `fourEyes` forbids. */
  approvers: string[];
  /** The requester may not approve their own deployment. */
  fourEyes: boolean;
}
