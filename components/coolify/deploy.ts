/**
 * Deploying an application: POST /deploy (POST since Coolify v4.2, and accepted by older versions too),
 * then polling the deployment until it finishes or fails. A failed deployment becomes an error carrying
 * its status and the tail of its log, which is what fails the Pulumi update.
 */
import { pollUntil, retryAmbiguous } from "../provider";
import { ok, type CoolifyClient } from "./client";
import { deployReply, deploymentReply, parseReply } from "./schemas";

/** Named like the application's outputs, so a provider can spread it into them. */
export interface DeploymentResult {
  deploymentUuid: string;
  deploymentStatus: string;
}

const FAILED = new Set(["failed", "cancelled-by-user", "cancelled"]);

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
 * Starts a deployment. A lost reply is retried: deploying the same configuration twice queues an
 * identical deployment, which is harmless, whereas giving up would leave the update half done.
 */
export async function startDeployment(client: CoolifyClient, applicationUuid: string, attempts = 3): Promise<string> {
  return retryAmbiguous(
    `deployment of application ${applicationUuid}`,
    async () => {
      const reply = await client.POST("/deploy", { params: { query: { uuid: applicationUuid } } });
      const body = parseReply("POST /deploy", deployReply, ok("POST /deploy", reply));
      const mine = body.deployments.find((d) => d.resource_uuid === undefined || d.resource_uuid === applicationUuid);
      if (!mine) throw new Error(`Coolify POST /deploy: no deployment was queued for application ${applicationUuid}`);
      return mine.deployment_uuid;
    },
    attempts,
  );
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
    const deployment = parseReply(op, deploymentReply, ok(op, reply));
    const status = deployment.status.toLowerCase();
    if (status === "finished") return { done: true, value: { deploymentUuid, deploymentStatus: status } };
    if (FAILED.has(status)) {
      throw new DeploymentFailedError(applicationUuid, deploymentUuid, status, logTail(deployment.logs));
    }
    return { done: false, state: status };
  });
}

export async function deployAndWait(client: CoolifyClient, applicationUuid: string): Promise<DeploymentResult> {
  const deploymentUuid = await startDeployment(client, applicationUuid);
  return waitForDeployment(client, applicationUuid, deploymentUuid);
}
