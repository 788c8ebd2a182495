import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";

/** GitHub webhook event names are lowercase words joined by underscores, or `*` for all. */
const EVENT = /^(\*|[a-z]+(?:_[a-z]+)*)$/;

export interface GithubDeployWebhookArgs {
  /**
   * Repository name (the owner comes from the github provider).
   * @example "shop"
   */
  repository: pulumi.Input<string>;
  /**
   * The deploy endpoint that GitHub calls, e.g. Coolify's webhook for the application. Must be https:
   * the payload is signed with the secret, but the URL itself may carry a token.
   * @example "https://coolify.home.example.com/webhooks/source/github/events/manual"
   */
  url: pulumi.Input<string>;
  /**
   * Shared secret GitHub signs each delivery with (`X-Hub-Signature-256`); pass a Pulumi secret.
   * @example config.requireSecret("deployWebhookSecret")
   */
  secret: pulumi.Input<string>;
  /**
   * Events that trigger a delivery.
   * @default ["push"] — deploy on every push to the repository.
   * @example ["push", "release"]
   */
  events?: string[];
  /**
   * Whether deliveries are sent.
   * @default true — active.
   * @example false
   */
  active?: boolean;
}

/** The repository webhook that asks Coolify to deploy. */
export class GithubDeployWebhook extends pulumi.ComponentResource {
  /** The hook's id at GitHub. */
  public readonly hookId: pulumi.Output<string>;
  /** The events it is subscribed to. */
  public readonly events: pulumi.Output<string[]>;

  constructor(name: string, args: GithubDeployWebhookArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before registering anything, so a bad argument leaves no half-built component behind.
    const who = `GithubDeployWebhook "${name}"`;
    const events = args.events ?? ["push"];
    validate(who, args, events);
    super("slipway:github:DeployWebhook", name, {}, opts);

    const hook = new github.RepositoryWebhook(
      `${name}-hook`,
      {
        repository: args.repository,
        events,
        active: args.active ?? true,
        configuration: {
          // The URL is wrapped too: deploy URLs often embed a token in the query string.
          url: pulumi.secret(pulumi.output(args.url).apply((u) => requireHttps(who, u))),
          secret: pulumi.secret(args.secret),
          contentType: "json",
          insecureSsl: false,
        },
      },
      { parent: this },
    );

    this.hookId = hook.id;
    this.events = pulumi.output(events);
    this.registerOutputs({ hookId: this.hookId, events: this.events });
  }
}

function requireHttps(who: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${who}: url is not a valid URL`);
  }
  if (parsed.protocol !== "https:") {
    throw new Error(`${who}: url must use https, got ${parsed.protocol.replace(":", "")}`);
  }
  return url;
}

function validate(who: string, args: GithubDeployWebhookArgs, events: string[]): void {
  if (events.length === 0) throw new Error(`${who}: events must list at least one event`);
  if (events.includes("*") && events.length > 1) {
    throw new Error(`${who}: events "*" already subscribes to every event; do not combine it with others`);
  }
  const bad = events.find((e) => !EVENT.test(e));
  if (bad !== undefined) throw new Error(`${who}: ${JSON.stringify(bad)} is not a GitHub webhook event name`);
  // Validate now when the URL is known, so a bad config fails before any resource is registered.
  if (typeof args.url === "string") requireHttps(who, args.url);
}
