/**
 * The whole program as a function: config → credentials → composition → the stack outputs. `infra/index.ts`
 * only re-exports what this returns, so tests can run the exact program under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig } from "./config";
import { resolveCredentials, runtimeCredentialSources, type CredentialSources } from "./credentials";
import { composeEnvironment, releaseFrom } from "./environment";

/**
 * The stack outputs. The names are a contract: the CLI (`infra/cli/`), the e2e tests and promotion
 * (`ContainerImage.fromStack` reads `imageRef`) read them. Optional ones are undefined when the target or
 * feature is not configured. None of them ever holds a password or token.
 */
export interface ProgramOutputs {
  /** The primary public URL (first custom domain, else the platform's host name), https. */
  url: pulumi.Output<string | undefined>;
  /** Every public URL, https. */
  urls: pulumi.Output<string[]>;
  /** `url` + the health check path; what the post-deploy health gate polls. */
  healthUrl: pulumi.Output<string | undefined>;
  /** Why deploys skip the health gate (`slipway:app.healthGate.reason`); undefined when the gate is on. */
  healthGateOff?: string;
  /** The deployed image, pinned by digest (`repo@sha256:…`). */
  imageRef: pulumi.Output<string>;
  coolifyProjectUuid?: pulumi.Output<string>;
  coolifyEnvironmentUuid?: pulumi.Output<string>;
  coolifyApplicationUuid?: pulumi.Output<string>;
  coolifyDatabaseUuid?: pulumi.Output<string>;
  flyAppName?: pulumi.Output<string>;
  flyHostname?: pulumi.Output<string>;
  flyMachineIds?: pulumi.Output<string[]>;
  flyDatabaseApp?: pulumi.Output<string>;
  /** The Fly Managed Postgres cluster id (kind flyManaged): what `forkFrom` in a preview stack reads. */
  flyManagedPostgresClusterId?: pulumi.Output<string>;
  /** Host name of the managed database on the private network; never the password. */
  databaseHost: pulumi.Output<string | undefined>;
  githubEnvironment?: pulumi.Output<string>;
  /**
   * The release the stack runs: git commit, tag and time (SLIPWAY_RELEASE_COMMIT/_TAG/_TIME or `slipway:release`
   * in a release; kept from the last release in a plain `pulumi up`).
   */
  releaseCommit: pulumi.Output<string | undefined>;
  releaseTag: pulumi.Output<string | undefined>;
  releasedAt: pulumi.Output<string | undefined>;
}

export interface ProgramSources {
  credentials?: CredentialSources;
  env?: Readonly<Record<string, string | undefined>>;
}

/** Runs the program in the current Pulumi runtime; throws `ConfigError` before registering anything when inputs are bad. */
export function runProgram(sources: ProgramSources = {}): ProgramOutputs {
  const config = loadStackConfig();
  const env = sources.env ?? process.env;
  const { credentials, problems } = resolveCredentials(config, sources.credentials ?? runtimeCredentialSources());
  if (problems.length > 0) throw new ConfigError(problems);
  const release = releaseFrom(config, env);

  const e = composeEnvironment(config, credentials, { stack: pulumi.getStack(), release });
  return {
    url: e.urls.apply((u) => u[0]),
    urls: e.urls,
    healthUrl: e.healthUrl,
    healthGateOff: config.app.healthGate?.reason,
    imageRef: e.imageRef,
    coolifyProjectUuid: e.coolify?.projectUuid,
    coolifyEnvironmentUuid: e.coolify?.environmentUuid,
    coolifyApplicationUuid: e.coolify?.applicationUuid,
    coolifyDatabaseUuid: e.coolify?.databaseUuid,
    flyAppName: e.fly?.appName,
    flyHostname: e.fly?.hostname,
    flyMachineIds: e.fly?.machineIds,
    flyDatabaseApp: e.fly?.databaseApp,
    flyManagedPostgresClusterId: e.fly?.managedPostgresClusterId,
    databaseHost: e.databaseHost,
    githubEnvironment: e.github?.environment,
    releaseCommit: e.release.commit,
    releaseTag: e.release.tag,
    releasedAt: e.release.time,
  };
}
