/**
 * Deploying an application: POST /deploy (POST since Coolify v4.2, and accepted by older versions too),
 * then polling the deployment until it finishes or fails. A failed deployment becomes an error carrying
 * its status and the tail of its log, which is what fails the Pulumi update.
 */
import { pollUntil, retryAmbiguous } from "../provider";
import { ok, type CoolifyClient } from "./client";
import { applicationDeploymentsReply, deployReply, deploymentReply, parseReply } from "./schemas";

/** Named like the application's outputs, so a provider can spread it into them. */
export interface DeploymentResult {
  deploymentUuid: string;
  deploymentStatus: string;
}

const FAILED = new Set(["failed", "cancelled-by-user", "cancelled"]);

const HIDDEN_LOG =
  "(Coolify shows deployment logs only to tokens with the read:sensitive or root permission; read it in the Coolify UI under the application's Deployments)";

/** The last lines of a deployment log, from Coolify's JSON log entries or plain text. */
export function logTail(logs: string | null | undefined, lines = 20): string {
  if (!logs) return "(no log)";
  let text = logs;
  try {
    const entries: unknown = JSON.parse(logs);
    if (Array.isArray(entries)) {
      text = entries
        .filter((e): e is { output: string; hidden?: boolean } => typeof e === "object" && e !== null && "output" in e)
        .filter((e) => !e.hidden)
        .map((e) => String(e.output))
        .join("\n");
    }
  } catch {
    // Plain text log.
  }
  return text.split("\n").filter((l) => l.trim() !== "").slice(-lines).join("\n");
}

export class DeploymentFailedError extends Error {
  constructor(
    readonly applicationUuid: string,
    readonly deploymentUuid: string,
    readonly status: string,
    readonly log: string,
  ) {
    super(`Coolify deployment ${deploymentUuid} of application ${applicationUuid} ${status}:\n${log}`);
    this.name = "DeploymentFailedError";
  }
}

/**
 * Coolify v4.3.10 bootstrap/helpers/applications.php queue_application_deployment answers this while a
 * deployment of the same commit (always HEAD for an image app) is queued or in progress, and queues nothing;
 * DeployController.php deploy_resource then answers it with a deployment_uuid it generated for this request and
 * never saved, so that uuid must not be polled (GET /deployments/{uuid} is a 404).
 */
export const ALREADY_QUEUED = "Deployment already queued for this commit.";

/**
 * Starts a deployment. A lost reply is retried: deploying the same configuration twice queues an
 * identical deployment, which is harmless, whereas giving up would leave the update half done.
 * When Coolify says one is already queued, the deployment that will run what was just written is used instead.
 */
export async function startDeployment(client: CoolifyClient, applicationUuid: string, attempts = 3): Promise<string> {
  return retryAmbiguous(
    `deployment of application ${applicationUuid}`,
    async () => {
      const mine = await postDeploy(client, applicationUuid, false);
      return mine.message === ALREADY_QUEUED ? await deploymentAfterNow(client, applicationUuid) : mine.deployment_uuid;
    },
    attempts,
  );
}

async function postDeploy(client: CoolifyClient, applicationUuid: string, force: boolean): Promise<{ deployment_uuid: string; message?: string }> {
  const query = force ? { uuid: applicationUuid, force: true } : { uuid: applicationUuid };
  const reply = await client.POST("/deploy", { params: { query } });
  const body = parseReply("POST /deploy", deployReply, ok("POST /deploy", reply));
  const mine = body.deployments.find((d) => d.resource_uuid === undefined || d.resource_uuid === applicationUuid);
  if (!mine) throw new Error(`Coolify POST /deploy: no deployment was queued for application ${applicationUuid}`);
  return mine;
}

/**
 * A deployment that runs with the configuration written before this call. A queued one qualifies: Coolify's
 * app/Jobs/ApplicationDeploymentJob.php reads the application when it starts, which is after slipway's writes.
 * One already in progress read it earlier, so then a new one is forced (DeployController.php: `force` skips the
 * de-duplication) and queued behind it.
 */
async function deploymentAfterNow(client: CoolifyClient, applicationUuid: string): Promise<string> {
  const op = "GET /deployments/applications/{uuid}";
  const reply = await client.GET("/deployments/applications/{uuid}", { params: { path: { uuid: applicationUuid }, query: { take: 20 } } });
  const { deployments } = parseReply(op, applicationDeploymentsReply, ok(op, reply));
  const queued = deployments.find((d) => d.status.toLowerCase() === "queued");
  if (queued) return queued.deployment_uuid;
  const forced = await postDeploy(client, applicationUuid, true);
  if (forced.message === ALREADY_QUEUED) throw new Error(`Coolify POST /deploy?force=true: application ${applicationUuid} answered "${ALREADY_QUEUED}" although forced`);
  return forced.deployment_uuid;
}

/** Polls until the deployment is finished (returned) or failed/cancelled (thrown with its log). */
export async function waitForDeployment(
  client: CoolifyClient,
  applicationUuid: string,
  deploymentUuid: string,
): Promise<DeploymentResult> {
  const op = "GET /deployments/{uuid}";
  return pollUntil<DeploymentResult>(`deployment ${deploymentUuid} of application ${applicationUuid}`, async () => {
    const reply = await client.GET("/deployments/{uuid}", { params: { path: { uuid: deploymentUuid } } });
    const body = ok(op, reply);
    const deployment = parseReply(op, deploymentReply, body);
    const status = deployment.status.toLowerCase();
    if (status === "finished") return { done: true, value: { deploymentUuid, deploymentStatus: status } };
    if (FAILED.has(status)) {
      // Coolify v4.3.10 app/Models/ApplicationDeploymentQueue.php hides `logs` (DeployController.php shows them
      // to root and read:sensitive tokens only): say where to read it instead of "(no log)".
      const hidden = typeof body === "object" && body !== null && !("logs" in body);
      const log = hidden ? HIDDEN_LOG : logTail(deployment.logs);
      throw new DeploymentFailedError(applicationUuid, deploymentUuid, status, log);
    }
    return { done: false, state: status };
  });
}

export async function deployAndWait(client: CoolifyClient, applicationUuid: string): Promise<DeploymentResult> {
  const deploymentUuid = await startDeployment(client, applicationUuid);
  return waitForDeployment(client, applicationUuid, deploymentUuid);
}
