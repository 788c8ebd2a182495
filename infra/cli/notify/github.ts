/**
 * Records deploys, rollbacks and automatic rollbacks as GitHub Deployments of the stack's environment — what
 * the repository's environment page shows: which commit and image run where, since when, and how it went.
 * Routes and types from @octokit/openapi (components/github/deployments.gen.ts). Behaviour relied on, from the
 * operation descriptions there:
 * - `required_contexts: []` skips the commit-status check and `auto_merge: false` never merges anything: a
 *   deploy records what ran, it does not gate on GitHub;
 * - `auto_inactive` marks superseded deployments inactive only in NON-production environments, so slipway turns
 *   it off and marks the superseded one itself, the same way in every environment;
 * - a status `description` holds at most 140 characters.
 */
import createClient, { type Client } from "openapi-fetch";
import { retryingFetch, retryPolicyFromEnv } from "../../../components/http";
import type { paths } from "../../../components/github/deployments.gen";

export interface GithubTarget {
  /** API root, e.g. https://api.github.com (GITHUB_API_URL in Actions). */
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  environment: string;
}

export interface DeploymentStart {
  /** The 40-hex commit being deployed (GitHub resolves the deployment's `sha` from it). */
  commit: string;
  task: "deploy" | "deploy:rollback";
  description: string;
  payload: Record<string, string | number | undefined>;
  /** A per-PR preview goes away with its PR: GitHub shows it as destroyed once inactive. */
  transient: boolean;
  logUrl?: string;
}

export type DeploymentState = "success" | "failure" | "error";

const DESCRIPTION_MAX = 140;
const short = (s: string) => (s.length <= DESCRIPTION_MAX ? s : `${s.slice(0, DESCRIPTION_MAX - 1)}…`);

function fail(op: string, status: number, body: unknown): never {
  const message = typeof body === "object" && body !== null && "message" in body ? String((body as { message: unknown }).message) : "";
  throw new Error(`GitHub ${op}: ${status}${message ? ` ${message}` : ""}`);
}

export class GithubDeployments {
  private readonly client: Client<paths>;
  constructor(private readonly target: GithubTarget) {
    this.client = createClient<paths>({ baseUrl: target.apiUrl.replace(/\/+$/, ""), fetch: retryingFetch(target.token, retryPolicyFromEnv()) });
  }

  private get repoPath() {
    return { owner: this.target.owner, repo: this.target.repo };
  }

  /** Creates the deployment and marks it in progress; returns its id. */
  async begin(d: DeploymentStart): Promise<number> {
    const op = "POST /repos/{owner}/{repo}/deployments";
    const { data, error, response } = await this.client.POST("/repos/{owner}/{repo}/deployments", {
      params: { path: this.repoPath },
      body: {
        ref: d.commit,
        task: d.task,
        environment: this.target.environment,
        description: short(d.description),
        payload: Object.fromEntries(Object.entries(d.payload).filter(([, v]) => v !== undefined)),
        required_contexts: [],
        auto_merge: false,
        transient_environment: d.transient,
      },
    });
    if (response.status !== 201 || !data || !("id" in data)) fail(op, response.status, error ?? data);
    await this.status(data.id, "in_progress", { description: d.description, logUrl: d.logUrl });
    return data.id;
  }

  /** The final status; on success the deployment it superseded (the previous successful one) becomes inactive. */
  async end(id: number, state: DeploymentState, info: { description: string; environmentUrl?: string; logUrl?: string }): Promise<number[]> {
    await this.status(id, state, info);
    if (state !== "success") return [];
    const superseded: number[] = [];
    for (const other of await this.list()) {
      if (other.id === id) continue;
      const latest = await this.latestState(other.id);
      if (latest === "success") {
        await this.status(other.id, "inactive", { description: `superseded by deployment ${id}` });
        superseded.push(other.id);
      }
    }
    return superseded;
  }

  private async status(id: number, state: DeploymentState | "in_progress" | "inactive", info: { description: string; environmentUrl?: string; logUrl?: string }): Promise<void> {
    const op = "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses";
    const { error, response } = await this.client.POST("/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
      params: { path: { ...this.repoPath, deployment_id: id } },
      body: {
        state,
        description: short(info.description),
        auto_inactive: false,
        ...(info.environmentUrl ? { environment_url: info.environmentUrl } : {}),
        ...(info.logUrl ? { log_url: info.logUrl } : {}),
      },
    });
    if (response.status !== 201) fail(op, response.status, error);
  }

  /** The environment's deployments, newest first (the first page is enough: only recent ones can be active). */
  private async list(): Promise<Array<{ id: number }>> {
    const op = "GET /repos/{owner}/{repo}/deployments";
    const { data, error, response } = await this.client.GET("/repos/{owner}/{repo}/deployments", {
      params: { path: this.repoPath, query: { environment: this.target.environment, per_page: 30 } },
    });
    if (!data) fail(op, response.status, error);
    return data;
  }

  private async latestState(id: number): Promise<string | undefined> {
    const op = "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses";
    const { data, error, response } = await this.client.GET("/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
      params: { path: { ...this.repoPath, deployment_id: id }, query: { per_page: 1 } },
    });
    if (!data) fail(op, response.status, error);
    return data[0]?.state;
  }
}
