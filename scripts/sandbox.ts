/**
 * `npm run sandbox`: slipway's real flow (first deploy, a change with its diff, a rollback) on a `sandbox`
 * stack, with the real Pulumi engine and the real operations CLI, against LOCAL EMULATORS of Coolify, Fly.io
 * and GitHub. The flow is in scripts/sandbox/flow.ts.
 *
 * The CLI's project dir must be fixed before anything imports the CLI (see reserveProjectDir), so this entry
 * sets it first and only then loads the flow.
 */
import { reserveProjectDir } from "./sandbox/cli";

reserveProjectDir();
void import("./sandbox/flow").then((flow) => flow.entry());
