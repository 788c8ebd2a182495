/**
 * Composes one environment from a validated config: the image, then each configured platform, then GitHub.
 * Everything that differs between staging and production arrives here as config; nothing looks at the
 * stack's name (the name is only passed through as an image tag, as data).
 */
import * as pulumi from "@pulumi/pulumi";
import { GeneratedPassword } from "../components/password";
import { ContainerImage, type ContainerImageArgs } from "../components/image";
import { composeCoolify, type CoolifyDeployment } from "./compose-coolify";
import { composeFly, type FlyDeployment } from "./compose-fly";
import { composeGithub, type GithubDeployment } from "./compose-github";
import { ConfigError } from "./config";
import type { Credentials } from "./credentials";
import type { ReleaseConfig, StackConfig } from "./schema";

export interface ComposeContext {
  /** Stack name, used only as an image tag for builds. */
  stack: string;
  /** The release being deployed: config `slipway:release`, overridden by SLIPWAY_RELEASE_* (see `releaseFrom`). */
  release: ReleaseConfig;
}

export interface Environment {
  /** The one digest-pinned image every platform runs. */
  imageRef: pulumi.Output<string>;
  /** Public https URLs, custom domains first. */
  urls: pulumi.Output<string[]>;
  /** First URL + the health check path; undefined without a health check or URL. */
  healthUrl: pulumi.Output<string | undefined>;
  databaseHost: pulumi.Output<string | undefined>;
  coolify?: CoolifyDeployment;
  fly?: FlyDeployment;
  github?: GithubDeployment;
}

/** The release metadata, with the CLI's environment variables winning over committed config. */
export function releaseFrom(config: StackConfig, env: Readonly<Record<string, string | undefined>>): ReleaseConfig {
  const pick = (name: string, fallback: string | undefined) => (env[name] !== undefined && env[name] !== "" ? env[name] : fallback);
  return {
    commit: pick("SLIPWAY_RELEASE_COMMIT", config.release?.commit),
    tag: pick("SLIPWAY_RELEASE_TAG", config.release?.tag),
    time: pick("SLIPWAY_RELEASE_TIME", config.release?.time),
  };
}

function imageArgs(config: StackConfig, ctx: ComposeContext): ContainerImageArgs {
  const image = config.image;
  const needCommit = (): string => {
    if (ctx.release.commit) return ctx.release.commit;
    throw new ConfigError([
      `slipway:release.commit: expected the git commit being built (image kind "${image.kind}" tags with it), got nothing — set SLIPWAY_RELEASE_COMMIT or slipway:release.commit`,
    ]);
  };
  switch (image.kind) {
    case "pinned":
      return { ref: image.ref };
    case "fromStack":
      return { fromStack: { stack: image.stack, output: image.output } };
    case "build":
      return {
        build: {
          repository: `${image.registry}/${image.repository}`,
          context: image.context,
          dockerfile: image.dockerfile,
          platforms: [image.platform],
          commit: needCommit(),
          stack: ctx.stack,
        },
      };
    case "flox":
      return { flox: { repository: `${image.registry}/${image.repository}`, dir: image.environment, commit: needCommit(), stack: ctx.stack } };
  }
}

/** Groups the environment's resources under one component, so `pulumi stack` shows one tree per app. */
class EnvironmentResource extends pulumi.ComponentResource {
  constructor(name: string) {
    super("slipway:index:Environment", name, {}, {});
  }
  /** Called once every child exists, so the component's outputs are final. */
  finish(outputs: pulumi.Inputs): void {
    this.registerOutputs(outputs);
  }
}

/**
 * Registers every resource of the environment. Credentials must already be resolved for each configured
 * target (see `resolveCredentials`); a missing one is a programming error here, not a config error.
 */
export function composeEnvironment(config: StackConfig, credentials: Credentials, ctx: ComposeContext): Environment {
  const args = imageArgs(config, ctx); // may throw: before anything is registered
  const root = new EnvironmentResource(config.app.name);
  const image = new ContainerImage("image", args, { parent: root });

  // Secret values are plaintext in the validated config; from here on they only travel as Pulumi secrets.
  const secretOutputs: Record<string, pulumi.Output<string>> = {};
  for (const [name, value] of Object.entries(config.secrets)) secretOutputs[name] = pulumi.secret(value);
  const appSecrets = Object.fromEntries(config.app.secretEnv.map((n) => [n, secretOutputs[n] as pulumi.Output<string>]));
  // SQLite lives in the container (or on a volume): the app finds it through the same variable as Postgres.
  const env: Record<string, string> = { ...config.app.env };
  if (config.database.kind === "sqlite") env.DATABASE_URL = `file:${config.database.path}`;

  // The deploy webhook's secret is generated, not configured: only GitHub (signing) and Coolify (verifying) need it.
  const webhookSecret =
    config.github?.webhook && config.targets.coolify
      ? new GeneratedPassword("deploy-webhook-secret", { length: 40 }, { parent: root }).result
      : undefined;

  const out: Omit<Environment, "urls" | "healthUrl" | "databaseHost"> = { imageRef: image.imageRef };
  if (config.targets.coolify) {
    if (!credentials.coolify) throw new Error("composeEnvironment: the coolify target needs resolved Coolify credentials");
    out.coolify = composeCoolify({ config, target: config.targets.coolify, connection: credentials.coolify, imageRef: image.imageRef, env, secretEnv: appSecrets, webhookSecret, parent: root });
  }
  if (config.targets.fly) {
    if (!credentials.fly || !config.scaling.fly) throw new Error("composeEnvironment: the fly target needs resolved Fly credentials and scaling");
    out.fly = composeFly({ config, target: config.targets.fly, scaling: config.scaling.fly, connection: credentials.fly, imageRef: image.imageRef, env, secretEnv: appSecrets, parent: root });
  }
  if (config.github) {
    if (!credentials.github) throw new Error("composeEnvironment: slipway:github needs a resolved GitHub token");
    const webhook = out.coolify && webhookSecret ? { url: out.coolify.webhookUrl, secret: webhookSecret } : undefined;
    out.github = composeGithub({ github: config.github, credentials: credentials.github, secrets: secretOutputs, webhook, parent: root });
  }

  const domainUrls = config.domains.map((d) => `https://${d}`);
  const urls = out.fly && domainUrls.length === 0 ? out.fly.hostname.apply((h) => [`https://${h}`]) : pulumi.output(domainUrls);
  const hc = config.app.healthCheck;
  const healthUrl = urls.apply((u) => (hc && u[0] ? `${u[0]}${hc.path}` : undefined));
  const databaseHost: pulumi.Output<string | undefined> = out.coolify?.databaseHost ?? out.fly?.databaseHost ?? pulumi.output(undefined);
  root.finish({ imageRef: image.imageRef, urls });
  return { ...out, urls, healthUrl, databaseHost };
}
