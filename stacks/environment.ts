/**
 * Composes one environment from a validated config: the image, then each configured platform, then GitHub.
 * Everything that differs between staging and production arrives here as config; nothing looks at the
 * stack's name (the name is only passed through as an image tag, as data).
 */
import * as pulumi from "@pulumi/pulumi";
import { ContainerImage, type ContainerImageArgs } from "../components/image";
import { Release } from "../components/release";
import { composeCoolify, type CoolifyDeployment } from "./compose-coolify";
import { composeFly, type FlyDeployment } from "./compose-fly";
import { composeGithub, type GithubDeployment } from "./compose-github";
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
  /** The release the stack runs (kept from the last release when this run is not one). */
  release: Release;
  /** Public https URLs, custom domains first. */
  urls: pulumi.Output<string[]>;
  /** First URL + the health check path; undefined without a health check or URL. */
  healthUrl: pulumi.Output<string | undefined>;
  databaseHost: pulumi.Output<string | undefined>;
  coolify?: CoolifyDeployment;
  fly?: FlyDeployment;
  github?: GithubDeployment;
}

/** The release metadata, with the CLI's environment variables winning over config the CLI wrote for the run. */
export function releaseFrom(config: StackConfig, env: Readonly<Record<string, string | undefined>>): ReleaseConfig {
  const pick = (name: string, fallback: string | undefined) => (env[name] !== undefined && env[name] !== "" ? env[name] : fallback);
  return {
    commit: pick("SLIPWAY_RELEASE_COMMIT", config.release?.commit),
    tag: pick("SLIPWAY_RELEASE_TAG", config.release?.tag),
    time: pick("SLIPWAY_RELEASE_TIME", config.release?.time),
    image: config.release?.image,
    actor: config.release?.actor,
  };
}

/** Where this run's image comes from, and whether a release chose it. */
export interface ImagePlan {
  /** undefined: this run builds nothing and pins nothing; the stack keeps its release's image. */
  args?: ContainerImageArgs;
  pinned: boolean;
  /** The error when there is no image and no earlier release. */
  unavailable?: string;
}

/**
 * A release's image (`slipway:release.image`: what `slipway deploy`, `rollback` and promotion pin) wins over the
 * configured kind, and is never rebuilt: a rollback of a `kind: build` stack runs the recorded digest, not the
 * current checkout. Builds happen only in a release (a commit to tag with); outside one nothing is built.
 */
export function imagePlan(config: StackConfig, ctx: ComposeContext): ImagePlan {
  const image = config.image;
  if (ctx.release.image) return { args: { ref: ctx.release.image }, pinned: true };
  switch (image.kind) {
    case "pinned":
      return { args: { ref: image.ref }, pinned: false };
    case "fromStack":
      return { args: { fromStack: { stack: image.stack, output: image.output } }, pinned: false };
    case "build":
    case "flox": {
      const commit = ctx.release.commit;
      if (!commit) {
        return {
          pinned: false,
          unavailable: `slipway:image: kind "${image.kind}" is built only by a release, and stack ${ctx.stack} has none yet; run: npx slipway deploy ${ctx.stack}`,
        };
      }
      const repository = `${image.registry}/${image.repository}`;
      const args: ContainerImageArgs =
        image.kind === "build"
          ? { build: { repository, context: image.context, dockerfile: image.dockerfile, platforms: [image.platform], commit, stack: ctx.stack } }
          : { flox: { repository, dir: image.environment, commit, stack: ctx.stack } };
      return { args, pinned: true };
    }
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
  const plan = imagePlan(config, ctx);
  const root = new EnvironmentResource(config.app.name);
  const image = plan.args ? new ContainerImage("image", plan.args, { parent: root }) : undefined;
  const r = ctx.release;
  const release = new Release(
    "release",
    { imageRef: image?.imageRef, pinned: plan.pinned, commit: r.commit, tag: r.tag, time: r.time, actor: r.actor, unavailable: plan.unavailable },
    { parent: root },
  );
  const imageRef = release.imageRef;

  // Secret values are plaintext in the validated config; from here on they only travel as Pulumi secrets.
  const secretOutputs: Record<string, pulumi.Output<string>> = {};
  for (const [name, value] of Object.entries(config.secrets)) secretOutputs[name] = pulumi.secret(value);
  const appSecrets = Object.fromEntries(config.app.secretEnv.map((n) => [n, secretOutputs[n] as pulumi.Output<string>]));
  // SQLite lives in the container (or on a volume): the app finds it through the same variable as Postgres.
  const env: Record<string, string> = { ...config.app.env };
  if (config.database.kind === "sqlite") env.DATABASE_URL = `file:${config.database.path}`;


  const out: Omit<Environment, "urls" | "healthUrl" | "databaseHost"> = { imageRef, release };
  if (config.targets.coolify) {
    if (!credentials.coolify) throw new Error("composeEnvironment: the coolify target needs resolved Coolify credentials");
    out.coolify = composeCoolify({ config, target: config.targets.coolify, connection: credentials.coolify, imageRef, env, secretEnv: appSecrets, parent: root });
  }
  if (config.targets.fly) {
    if (!credentials.fly || !config.scaling.fly) throw new Error("composeEnvironment: the fly target needs resolved Fly credentials and scaling");
    out.fly = composeFly({ config, target: config.targets.fly, scaling: config.scaling.fly, connection: credentials.fly, imageRef, env, secretEnv: appSecrets, parent: root });
  }
  if (config.github) {
    if (!credentials.github) throw new Error("composeEnvironment: slipway:github needs a resolved GitHub token");
    out.github = composeGithub({ github: config.github, credentials: credentials.github, secrets: secretOutputs, parent: root });
  }

  const domainUrls = config.domains.map((d) => `https://${d}`);
  const urls = out.fly && domainUrls.length === 0 ? out.fly.hostname.apply((h) => [`https://${h}`]) : pulumi.output(domainUrls);
  const hc = config.app.healthCheck;
  const healthUrl = urls.apply((u) => (hc && u[0] ? `${u[0]}${hc.path}` : undefined));
  const databaseHost: pulumi.Output<string | undefined> = out.coolify?.databaseHost ?? out.fly?.databaseHost ?? pulumi.output(undefined);
  root.finish({ imageRef, urls });
  return { ...out, urls, healthUrl, databaseHost };
}
