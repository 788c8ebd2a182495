/**
 * `slipway:notifications`: who hears about deploys, rollbacks and automatic rollbacks, read by the CLI
 * (`infra/cli/notify.ts`), never by the program. Credentials are NAMES of `slipway:secrets` entries (set with
 * `pulumi config set --secret`), so the stack file holds no password and no webhook URL (a Slack webhook URL
 * is a credential: whoever has it can post).
 */
import { z } from "zod";
import { bool, envName, expected, list, obj, oneOf, port, text } from "./schema-parts";

export const NOTIFY_EVENTS = ["deploy", "rollback", "automatic-rollback"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[a-z]{2,63}$/i;
const address = () => text("an e-mail address like team@example.com", EMAIL);
/** A host name or IPv4 address (an SMTP relay is often on the LAN). */
const smtpHost = () => text("an SMTP server host name or IPv4 address", /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i);

export const notificationsSchema = obj({
  /** @default every event */
  events: list(oneOf(NOTIFY_EVENTS), "events").min(1, expected("at least one event")).default([...NOTIFY_EVENTS]),
  /**
   * Record every deploy, rollback and automatic rollback as a GitHub Deployment of the stack's environment
   * (`slipway:github.environment`, else the stack name), with statuses. Needs a token with `deployments: write`
   * (`GITHUB_TOKEN` in Actions) and the repository (`slipway:github`, else `GITHUB_REPOSITORY`).
   * @default true
   */
  githubDeployments: bool().default(true),
  email: obj({
    host: smtpHost(),
    /** @default 587 (submission, upgraded with STARTTLS) */
    port: port().default(587),
    /** Implicit TLS from the first byte (port 465); otherwise STARTTLS is required. @default false */
    tls: bool().default(false),
    user: text("an SMTP user name").optional(),
    /** Name of the `slipway:secrets` entry holding the SMTP password. */
    passwordSecret: envName().optional(),
    from: address(),
    to: list(address(), "e-mail addresses").min(1, expected("at least one address")),
  }).optional(),
  webhook: obj({
    /** Name of the `slipway:secrets` entry holding the webhook URL (Slack incoming webhooks take the same JSON). */
    urlSecret: envName(),
  }).optional(),
});
export type NotificationsConfig = z.output<typeof notificationsSchema>;
