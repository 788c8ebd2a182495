/**
 * Coolify's manual GitHub webhook, `POST /webhooks/source/github/events/manual` at the instance root, as Coolify
 * v4.3.10 app/Http/Controllers/Webhook/Github.php `manual` and Concerns/MatchesManualWebhookApplications.php
 * answer a push: the applications whose git_branch is the pushed branch and whose git_repository is the pushed
 * repository (case-insensitive, URL or owner/repo), each checked against its own manual_webhook_secret_github
 * (X-Hub-Signature-256 = HMAC-SHA256 of the raw body), then deployed through queue_application_deployment.
 * A docker-image application created through the API has git_repository "coollabsio/coolify" and git_branch
 * "main" (ApplicationsController.php create_application), so a push to another repository matches none of them.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Reply } from "../common/http";
import type { Rollouts } from "./rollout";
import type { ApplicationRecord, CoolifyState } from "./state";

export const MANUAL_GITHUB_WEBHOOK = "/webhooks/source/github/events/manual";

/** What create_application's `dockerimage` branch stores, whatever the request said. */
export const DOCKERIMAGE_GIT = { git_repository: "coollabsio/coolify", git_branch: "main" } as const;

const text = (body: string, status = 200): Reply => ({ status, body });

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? "";
}

/** MatchesManualWebhookApplications.php canonicalManualWebhookRepository + normalizeManualWebhookRepositoryPath. */
function canonicalRepository(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  let path = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      return undefined;
    }
  } else if (path.startsWith("git@") && path.includes(":")) {
    path = path.slice(path.indexOf(":") + 1).replace(/^\d+\//, "");
  }
  path = path.split(/[?#]/)[0] ?? "";
  path = path.replace(/^\/+|\/+$/g, "").replace(/\.git$/i, "");
  return path === "" ? undefined : path;
}

function signedBy(secret: string, raw: string, signature: string): boolean {
  const expected = Buffer.from(createHmac("sha256", secret).update(raw).digest("hex"));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function gitOf(app: ApplicationRecord, key: keyof typeof DOCKERIMAGE_GIT): unknown {
  return key in app.config ? app.config[key] : DOCKERIMAGE_GIT[key];
}

/** Push and ping only: pull_request events (preview deployments) are not modelled. */
export function githubManualWebhook(state: CoolifyState, rollouts: Rollouts, headers: IncomingHttpHeaders, raw: string): Reply {
  const event = header(headers, "x-github-event").toLowerCase();
  if (event === "ping") return text("pong");
  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    payload = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    payload = {};
  }
  if (event !== "push") return text("Nothing to do. No branch found in the request.");
  const ref = typeof payload.ref === "string" ? payload.ref : "";
  const branch = ref.replace(/^refs\/heads\//, "");
  if (branch === "") return text("Nothing to do. No branch found in the request.");
  const repository = payload.repository as { full_name?: unknown } | undefined;
  const fullName = typeof repository?.full_name === "string" ? repository.full_name.replace(/^[\s/]+|[\s/]+$/g, "") : "";
  if (!/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+$/.test(fullName)) return text("Nothing to do. Invalid repository.");
  const matched = state.applications.filter(
    (a) => !a.deleting && gitOf(a, "git_branch") === branch && canonicalRepository(gitOf(a, "git_repository"))?.toLowerCase() === fullName.toLowerCase(),
  );
  if (matched.length === 0) {
    return text(`Nothing to do. No applications found with deploy key set, branch is '${branch}' and Git Repository name has ${fullName}.`);
  }
  const signature = header(headers, "x-hub-signature-256").replace(/^sha256=/, "");
  const results: Record<string, unknown>[] = [];
  for (const app of matched) {
    const secret = app.config.manual_webhook_secret_github;
    if (typeof secret !== "string" || secret === "" || !signedBy(secret, raw, signature)) {
      results.push({ status: "failed", message: "Invalid signature." });
      continue;
    }
    const queued = rollouts.queue(app, { force: false, restartOnly: false });
    if (queued.status === "queue_full") return { status: 429, body: queued.message, headers: { "retry-after": "60" } };
    const who = { application: app.name, application_uuid: app.uuid, application_name: app.name };
    if (queued.status === "skipped") results.push({ ...who, status: "skipped", message: queued.message });
    else results.push({ ...who, status: "success", message: "Deployment queued.", deployment_uuid: queued.deployment.uuid });
  }
  return { status: 200, body: results };
}
