/**
 * Tells people about deploys, rollbacks and automatic rollbacks: a GitHub Deployment of the stack's environment
 * with statuses, an e-mail through the team's SMTP server, a JSON (Slack-compatible) webhook — as the stack's
 * `slipway:notifications` asks (stacks/schema-notify.ts). Credentials come from the stack's secure config
 * (`slipway:secrets`, named in that section) and the CI environment (GITHUB_TOKEN), never from files.
 *
 * A failing channel never fails the deploy it reports on: it is printed (`notify webhook: failed (…)`) and the
 * deploy's own outcome stands.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { githubSchema } from "../../stacks/schema-github";
import { notificationsSchema, type NotificationsConfig, type NotifyEvent } from "../../stacks/schema-notify";
import { postWebhook, sendEmail, type SmtpTarget } from "./notify/channels";
import { GithubDeployments, type GithubTarget } from "./notify/github";
import type { DeployNotice, NotifyResult } from "./notify/message";
import type { ReleaseInfo } from "./releases";
import type { Log } from "./workspace";

export interface Announcement {
  /** Reports the outcome: final GitHub status (superseded deployments inactive), then e-mail and webhook. */
  end(result: NotifyResult, details?: { url?: string; reason?: string; update?: number }): Promise<void>;
}

export interface Announcer {
  begin(event: NotifyEvent, release: ReleaseInfo, rolledBackTo?: number): Promise<Announcement>;
}

export interface NotifySettings {
  config?: NotificationsConfig;
  github?: GithubTarget;
  smtp?: SmtpTarget;
  webhookUrl?: string;
  logUrl?: string;
  /** The environment's deployments page on GitHub. */
  deploymentsPage?: string;
}

/** Resolves what to notify from the stack's config (secrets decrypted by the Automation API) and the environment. */
export function settingsFrom(stackName: string, config: Record<string, { value: string }>, env: NodeJS.ProcessEnv = process.env): NotifySettings {
  const json = (key: string): unknown => {
    const v = config[key]?.value;
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  };
  // No section, no notifications: a stack says whom to tell (the program validated the section already).
  const raw = json("slipway:notifications");
  const parsed = raw === undefined ? undefined : notificationsSchema.safeParse(raw);
  const n = parsed?.success ? parsed.data : undefined;
  const secrets = (json("slipway:secrets") ?? {}) as Record<string, string>;
  const gh = githubSchema.safeParse(json("slipway:github"));
  const [envOwner, envRepo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  const owner = gh.success ? gh.data.owner : envOwner;
  const repo = gh.success ? gh.data.repository : envRepo;
  const token = env.GITHUB_TOKEN || env.SLIPWAY_GITHUB_TOKEN;
  const settings: NotifySettings = { config: n };
  if (n?.githubDeployments && token && owner && repo) {
    settings.github = { apiUrl: env.GITHUB_API_URL || "https://api.github.com", token, owner, repo, environment: gh.success ? gh.data.environment : stackName };
    settings.deploymentsPage = `${env.GITHUB_SERVER_URL || "https://github.com"}/${owner}/${repo}/deployments/${encodeURIComponent(settings.github.environment)}`;
  }
  if (n?.email) {
    const e = n.email;
    const pass = e.passwordSecret ? secrets[e.passwordSecret] : undefined;
    settings.smtp = { host: e.host, port: e.port, tls: e.tls, from: e.from, to: e.to, ...(e.user && pass !== undefined ? { auth: { user: e.user, pass } } : {}) };
  }
  if (n?.webhook) settings.webhookUrl = secrets[n.webhook.urlSecret];
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    settings.logUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return settings;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

export function announcerFor(stackName: string, s: NotifySettings, print: Log, now: () => Date = () => new Date()): Announcer {
  const wanted = (event: NotifyEvent) => s.config !== undefined && s.config.events.includes(event);
  const attempt = async (what: string, run: () => Promise<string>): Promise<void> => {
    try {
      print(`notify ${what}: ${await run()}`);
    } catch (error) {
      print(`notify ${what}: failed (${error instanceof Error ? error.message : String(error)})`);
    }
  };
  return {
    async begin(event, release, rolledBackTo) {
      if (!wanted(event)) return { end: async () => undefined };
      const deployments = s.github ? new GithubDeployments(s.github) : undefined;
      let deploymentId: number | undefined;
      const label = event === "deploy" ? `deploy ${release.tag ?? release.image ?? ""}`.trim() : `${event} to update #${rolledBackTo}`;
      if (deployments && s.github) {
        const target = s.github;
        if (!release.commit || !FULL_SHA.test(release.commit)) {
          print(`notify github: skipped (a GitHub deployment needs the full commit SHA, got ${release.commit ? `"${release.commit}"` : "none"})`);
        } else {
          const commit = release.commit;
          await attempt("github", async () => {
            deploymentId = await deployments.begin({
              commit,
              task: event === "deploy" ? "deploy" : "deploy:rollback",
              description: label,
              payload: { event, stack: stackName, tag: release.tag, image: release.image, actor: release.actor, rolledBackTo },
              transient: false,
              logUrl: s.logUrl,
            });
            return `deployment ${deploymentId} in ${target.environment}: in_progress`;
          });
        }
      }
      return {
        async end(result, details = {}) {
          if (deployments && deploymentId !== undefined) {
            const id = deploymentId;
            await attempt("github", async () => {
              const superseded = await deployments.end(id, result, { description: details.reason ?? label, environmentUrl: details.url, logUrl: s.logUrl });
              return `deployment ${id}: ${result}${superseded.length > 0 ? `; inactive: ${superseded.join(", ")}` : ""}`;
            });
          }
          const notice: DeployNotice = {
            event,
            stack: stackName,
            result,
            release: { tag: release.tag, commit: release.commit, image: release.image, update: details.update },
            ...(rolledBackTo !== undefined ? { rolledBackTo } : {}),
            ...(details.reason ? { reason: details.reason } : {}),
            links: {
              environment: details.url,
              log: s.logUrl,
              deployment: deploymentId !== undefined ? s.deploymentsPage : undefined,
            },
            time: now().toISOString(),
          };
          if (s.smtp) {
            const smtp = s.smtp;
            await attempt("email", async () => `sent to ${smtp.to.join(", ")} (${await sendEmail(smtp, notice)})`);
          }
          if (s.config?.webhook) {
            const url = s.webhookUrl;
            await attempt("webhook", async () => {
              if (!url) throw new Error(`slipway:secrets.${s.config?.webhook?.urlSecret} is not set`);
              return `answered ${await postWebhook(url, notice)}`;
            });
          }
        },
      };
    },
  };
}

/** The announcer of an opened stack. */
export async function announcer(stack: Stack, stackName: string, print: Log): Promise<Announcer> {
  return announcerFor(stackName, settingsFrom(stackName, await stack.getAllConfig()), print);
}
