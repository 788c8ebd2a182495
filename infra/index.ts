/**
 * slipway's program entry: load and validate the stack config (`slipway:*`), resolve platform credentials,
 * compose the environment, export the outputs. A bad config or a missing credential fails here with ONE
 * message listing every problem, before any resource is registered.
 *
 * Stack outputs (stable names; the CLI, the e2e tests and promotion read them — see stacks/program.ts):
 *   url, urls, healthUrl            public https URL(s) and the health check URL
 *   healthGateOff                   why `slipway deploy` skips its health gate (slipway:app.healthGate)
 *   imageRef                        the deployed image, pinned by digest (promotion reads this name)
 *   coolifyProjectUuid, coolifyEnvironmentUuid, coolifyApplicationUuid, coolifyDatabaseUuid
 *   flyAppName, flyHostname, flyMachineIds, flyDatabaseApp
 *   flyManagedPostgresClusterId    the Fly Managed Postgres cluster (kind flyManaged; forkFrom reads it)
 *   databaseHost                    private host of the managed database (never a password)
 *   githubEnvironment
 *   releaseCommit, releaseTag, releasedAt   from SLIPWAY_RELEASE_COMMIT / _TAG / _TIME or slipway:release
 */
import { runProgram } from "../stacks/program";

const outputs = runProgram();

export const url = outputs.url;
export const urls = outputs.urls;
export const healthUrl = outputs.healthUrl;
export const healthGateOff = outputs.healthGateOff;
export const imageRef = outputs.imageRef;
export const coolifyProjectUuid = outputs.coolifyProjectUuid;
export const coolifyEnvironmentUuid = outputs.coolifyEnvironmentUuid;
export const coolifyApplicationUuid = outputs.coolifyApplicationUuid;
export const coolifyDatabaseUuid = outputs.coolifyDatabaseUuid;
export const flyAppName = outputs.flyAppName;
export const flyHostname = outputs.flyHostname;
export const flyMachineIds = outputs.flyMachineIds;
export const flyDatabaseApp = outputs.flyDatabaseApp;
export const flyManagedPostgresClusterId = outputs.flyManagedPostgresClusterId;
export const databaseHost = outputs.databaseHost;
export const githubEnvironment = outputs.githubEnvironment;
export const releaseCommit = outputs.releaseCommit;
export const releaseTag = outputs.releaseTag;
export const releasedAt = outputs.releasedAt;
