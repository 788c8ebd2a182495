import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "../dynamic";
import { HEALTH_CHECK_DEFAULTS, INSTANT_DEPLOY_DEFAULT } from "../rules";
import { resolveCoolifyConnection, type CoolifyConnectionArgs } from "./connection";
import { validateApplicationArgs } from "./validate";
import { ownerOf } from "../mark";

/** How Coolify probes the container; a passing check is what lets Coolify roll without downtime. */
export interface CoolifyHealthCheckArgs {
  /**
   * HTTP path probed inside the container.
   * @example "/health"
   */
  path: string;
  /**
   * Container port probed.
   * @default the first of `ports` (the public HTTP port)
   * @example 3000
   */
  port?: number;
  /**
   * Seconds between probes.
   * @default 15 (components/rules.ts HEALTH_CHECK_DEFAULTS, as for slipway:app.healthCheck)
   */
  intervalSeconds?: number;
  /**
   * Seconds one probe may take.
   * @default 5
   */
  timeoutSeconds?: number;
  /**
   * Failed probes in a row before the container counts as unhealthy.
   * @default 3
   */
  retries?: number;
  /**
   * Grace period after start during which failures do not count (slow boots, migrations).
   * @default 30 (as slipway:app.healthCheck.gracePeriodSeconds)
   */
  startPeriodSeconds?: number;
  /**
   * Status code that counts as healthy.
   * @default 200
   */
  returnCode?: number;
}

/** Where a Coolify resource lives: the project environment and the server (both apps and databases need it). */
export interface CoolifyPlacementArgs {
  /** Project uuid (from `CoolifyProject.projectUuid`). */
  projectUuid: pulumi.Input<string>;
  /** Environment uuid (from `CoolifyProject.environmentUuid`). */
  environmentUuid: pulumi.Input<string>;
  /** Environment name (from `CoolifyProject.environmentName`); the API wants both name and uuid. */
  environmentName: pulumi.Input<string>;
  /**
   * Server the resource runs on (Servers → uuid in the Coolify UI).
   * @example "vgsco4o"
   */
  serverUuid: pulumi.Input<string>;
  /**
   * Docker network (destination) on that server.
   * @default the server's only destination; required by Coolify when the server has several
   */
  destinationUuid?: pulumi.Input<string>;
}

/** The placement fields alone: components spread them into their resource's inputs. */
export function placementOf(args: CoolifyPlacementArgs): CoolifyPlacementArgs {
  const { projectUuid, environmentUuid, environmentName, serverUuid, destinationUuid } = args;
  return { projectUuid, environmentUuid, environmentName, serverUuid, destinationUuid };
}

export interface CoolifyApplicationArgs extends CoolifyPlacementArgs {
  /**
   * Application name in Coolify; also how a retried create finds an application it already made.
   * @example "web"
   */
  name: pulumi.Input<string>;
  /**
   * Free text shown in the UI.
   * @default no description
   */
  description?: pulumi.Input<string>;
  /**
   * Image reference pinned by digest, so a deploy runs exactly the bytes that were built or promoted.
   * Tags are rejected: Coolify would pull whatever the tag points to at deploy time.
   * @example "ghcr.io/acme/web@sha256:0f3e…"
   */
  image: pulumi.Input<string>;
  /**
   * Public hostnames, always served over https (Coolify's proxy obtains the certificates).
   * `https://` prefixes are accepted; `http://` is rejected.
   * @default no domain (the app is reachable only on the server's Docker network)
   * @example ["staging.example.com"]
   */
  domains?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Container port the proxy sends public HTTP traffic to.
   * @example 3000
   */
  port: pulumi.Input<number>;
  /**
   * More container ports exposed on the Docker network (e.g. a second service in the same container).
   * @default none
   * @example [4000]
   */
  internalPorts?: pulumi.Input<pulumi.Input<number>[]>;
  /**
   * Host port mappings (`host:container`). Coolify cannot roll a container that binds host ports, so these
   * conflict with `rollingUpdate`.
   * @default none (traffic arrives through the proxy only)
   * @example ["5432:5432"]
   */
  portMappings?: string[];
  /**
   * Insist on Coolify's health-gated rolling update, where the new container must pass `healthCheck` before the
   * old one stops. Coolify has no API switch for it: v4.3.10 rolls by itself unless host ports are mapped, and
   * holds the old container back only while a health check runs (app/Jobs/ApplicationDeploymentJob.php
   * `rolling_update`, `stop_running_container`). So this option refuses the configs under which Coolify would
   * stop the old container first (no `healthCheck`, or `portMappings`); `false` does not turn rolling off, it
   * only drops that check.
   * @default false (components/rules.ts HEALTH_GATED_ROLLING_UPDATE_DEFAULT, as for
   * slipway:scaling.coolify.healthGatedRollingUpdate): no check; Coolify still rolls whenever it can
   */
  rollingUpdate?: boolean;
  /**
   * Health check; required for rolling updates.
   * @default no health check (Coolify stops the old container before starting the new one)
   */
  healthCheck?: CoolifyHealthCheckArgs;
  /**
   * CPU and memory limits of the container.
   * @default no limits
   * @example { cpus: "1", memory: "1g" }
   */
  limits?: {
    /** Docker `--cpus`. @example "1.5" */
    cpus?: pulumi.Input<string>;
    /** Docker `--memory`. @example "512m" */
    memory?: pulumi.Input<string>;
  };
  /**
   * Command run in the new container before it takes traffic (e.g. migrations); a failure fails the deploy.
   * @default none
   * @example "npm run migrate"
   */
  preDeploymentCommand?: pulumi.Input<string>;
  /**
   * Command run in the new container after the deploy.
   * @default none
   */
  postDeploymentCommand?: pulumi.Input<string>;
  /**
   * Plain environment variables; changed ones are upserted, removed ones deleted.
   * @default none
   * @example { NODE_ENV: "production" }
   */
  env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Secret environment variables: kept encrypted in state and never shown in outputs.
   * A key may not appear in both `env` and `secretEnv`.
   * @default none
   * @example { DATABASE_URL: db.internalDbUrl }
   */
  secretEnv?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Persistent volumes mounted into the container. On the server each is the Docker volume
   * `<application uuid>-<name>`, so stacks sharing a server never share data. Dropping one detaches it;
   * Coolify keeps its data on the server.
   * @default none (the container's filesystem is discarded on every deploy)
   * @example [{ name: "media", mountPath: "/app/media" }]
   */
  volumes?: { name: string; mountPath: string }[];
  /**
   * Secret of Coolify's manual GitHub webhook (`/webhooks/source/github/events/manual`): pushes signed with it
   * trigger a deploy. Kept secret in state.
   * @default no webhook secret (Coolify rejects signed deliveries)
   */
  githubWebhookSecret?: pulumi.Input<string>;
  /**
   * Deploy (POST /deploy) after every change and wait until the deployment finishes; a failed deployment
   * fails the update with the deployment's status and log. `false` only configures the application.
   * @default true
   */
  deploy?: boolean;
  /**
   * API URL and token.
   * @default `coolify:url` / `coolify:token` from config, else `COOLIFY_URL` / `COOLIFY_TOKEN`
   */
  connection?: CoolifyConnectionArgs;
}

/** A Coolify application running a pinned Docker image, with its env vars, deployed and waited for. */
export class CoolifyApplication extends pulumi.ComponentResource {
  /** Application uuid in Coolify. */
  public readonly uuid: pulumi.Output<string>;
  /** Public https URLs (one per domain). */
  public readonly urls: pulumi.Output<string[]>;
  /** `https://<first domain><health path>`, for smoke checks after a deploy; undefined without both. */
  public readonly healthUrl: pulumi.Output<string | undefined>;
  /** The image reference that was deployed. */
  public readonly image: pulumi.Output<string>;
  /** The last deployment slipway started; undefined when `deploy` is false. */
  public readonly deploymentUuid: pulumi.Output<string | undefined>;
  /** How that deployment ended (`finished`). */
  public readonly deploymentStatus: pulumi.Output<string | undefined>;

  constructor(name: string, args: CoolifyApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super(): a bad combination must fail before anything is registered.
    validateApplicationArgs(name, args);
    const connection = resolveCoolifyConnection(args.connection);
    super("slipway:coolify:Application", name, {}, opts);
    const health = args.healthCheck;

    const app = new ApplicationResource(
      `${name}-app`,
      {
        connection,
        // What the provider marks the application with, so it finds its own after a lost answer (components/mark.ts).
        owner: ownerOf(pulumi.getProject(), pulumi.getStack(), `${name}-app`),
        ...placementOf(args),
        name: args.name,
        description: args.description,
        image: args.image,
        domains: pulumi.output(args.domains ?? []).apply((ds) => ds.map(hostOf)),
        ports: pulumi.all([args.port, args.internalPorts ?? []]).apply(([p, more]) => [p, ...more]),
        portMappings: args.portMappings ?? [],
        healthCheck: health && {
          path: health.path,
          port: health.port,
          intervalSeconds: health.intervalSeconds ?? HEALTH_CHECK_DEFAULTS.intervalSeconds,
          timeoutSeconds: health.timeoutSeconds ?? HEALTH_CHECK_DEFAULTS.timeoutSeconds,
          retries: health.retries ?? HEALTH_CHECK_DEFAULTS.retries,
          startPeriodSeconds: health.startPeriodSeconds ?? HEALTH_CHECK_DEFAULTS.gracePeriodSeconds,
          returnCode: health.returnCode ?? HEALTH_CHECK_DEFAULTS.returnCode,
        },
        limits: args.limits,
        preDeploymentCommand: args.preDeploymentCommand,
        postDeploymentCommand: args.postDeploymentCommand,
        env: args.env ?? {},
        secretEnv: pulumi.secret(args.secretEnv ?? {}),
        volumes: args.volumes ?? [],
        githubWebhookSecret: args.githubWebhookSecret === undefined ? undefined : pulumi.secret(args.githubWebhookSecret),
        deploy: args.deploy ?? INSTANT_DEPLOY_DEFAULT,
      },
      { parent: this },
    );

    // The resource id IS the application uuid, and unlike the `uuid` output it stays known while an update is
    // previewed (the dynamic-provider host cannot preview updates, so every output of an updated resource is
    // unknown then): dependents that replace on the uuid (volume backups) would otherwise show a replacement.
    this.uuid = app.id;
    this.urls = app.urls;
    const healthPath = health?.path;
    // `urls` is missing from state written before the provider reported it; treat that as no URL.
    this.healthUrl = app.urls.apply((urls) => {
      const first = urls?.[0];
      return first !== undefined && healthPath !== undefined ? `${first}${healthPath}` : undefined;
    });
    this.image = app.image;
    this.deploymentUuid = app.deploymentUuid;
    this.deploymentStatus = app.deploymentStatus;
    this.registerOutputs({
      uuid: this.uuid,
      urls: this.urls,
      healthUrl: this.healthUrl,
      image: this.image,
      deploymentUuid: this.deploymentUuid,
      deploymentStatus: this.deploymentStatus,
    });
  }
}

/** `https://a.example.com/` and `a.example.com` both mean the host `a.example.com`. */
export function hostOf(domain: string): string {
  return domain.replace(/^https:\/\//i, "").replace(/\/+$/, "").toLowerCase();
}

class ApplicationResource extends DynamicResource {
  declare public readonly uuid: pulumi.Output<string>;
  declare public readonly urls: pulumi.Output<string[]>;
  declare public readonly image: pulumi.Output<string>;
  declare public readonly deploymentUuid: pulumi.Output<string | undefined>;
  declare public readonly deploymentStatus: pulumi.Output<string | undefined>;

  constructor(name: string, props: Record<string, pulumi.Input<unknown>>, opts: pulumi.CustomResourceOptions) {
    super(
      providerFor("coolify:application"),
      name,
      { ...props, uuid: undefined, urls: undefined, deploymentUuid: undefined, deploymentStatus: undefined },
      // The token and the secret env values must stay encrypted in state whatever the provider returns.
      { ...opts, additionalSecretOutputs: ["connection", "secretEnv", "githubWebhookSecret"] },
      "coolify",
      "Application",
    );
  }
}
