/** A manual lock (`/deploy lock web <reason>`): no new deployment of the app until unlocked. */
export interface AppLock {
  app: string;
  owner: string;
  reason: string;
  createdAt: number;
}
