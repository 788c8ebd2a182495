import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import { GITHUB_MAX_REVIEWERS, githubEnvironmentNameSchema, githubSecretNameSchema, githubWaitTimerMinutesSchema, refusal } from "../rules";

/** Who must approve a deployment to the environment. */
export interface GithubEnvironmentReviewers {
  /**
   * GitHub users: a number is a user id (the API takes ids, and ids survive renames); a string is a
   * login, looked up with the github provider at deploy time.
   * @default [] — no user reviewers.
   * @example [583231, "octocat"]
   */
  users?: Array<pulumi.Input<number> | string>;
  /**
   * Teams: a number is a team id; a string is a team slug in the provider's owner organization.
   * @default [] — no team reviewers.
   * @example ["release-managers"]
   */
  teams?: Array<pulumi.Input<number> | string>;
}

/** Which refs may deploy. Leaving both lists empty lets every branch deploy. */
export interface GithubDeploymentPolicy {
  /**
   * Branch name patterns (fnmatch, as GitHub matches them).
   * @default [] — no branch may deploy unless `tags` is also empty.
   * @example ["main"]
   */
  branches?: string[];
  /**
   * Tag name patterns.
   * @default [] — no tag may deploy unless `branches` is also empty.
   * @example ["v*.*.*"]
   */
  tags?: string[];
}

export interface GithubEnvironmentArgs {
  /**
   * Repository name (the owner comes from the github provider).
   * @example "shop"
   */
  repository: pulumi.Input<string>;
  /**
   * Environment name, as workflows reference it with `environment:`.
   * @example "production"
   */
  environment: string;
  /**
   * Required reviewers.
   * @default undefined — deployments start without approval.
   * @example { users: [583231], teams: [1234567] }
   */
  reviewers?: GithubEnvironmentReviewers;
  /**
   * Minutes to wait after a job is triggered (0–43200).
   * @default 0 — no delay.
   * @example 10
   */
  waitTimer?: number;
  /**
   * Forbid the person who triggered a deployment from approving it.
   * @default false — self review allowed (GitHub's default).
   * @example true
   */
  preventSelfReview?: boolean;
  /**
   * Let repository admins bypass the protection rules.
   * @default true — GitHub's default; set false for production.
   * @example false
   */
  canAdminsBypass?: boolean;
  /**
   * Branch and tag patterns allowed to deploy (custom deployment branch policies).
   * @default undefined — every branch may deploy.
   * @example { tags: ["v*.*.*"] }
   */
  deploymentPolicy?: GithubDeploymentPolicy;
  /**
   * Environment secrets by name. Values should be Pulumi secrets; they are wrapped as secrets again so
   * state never holds them in plaintext, and the provider seals them with the repository's public key.
   * @default {} — none.
   * @example { FLY_API_TOKEN: config.requireSecret("flyToken") }
   */
  secrets?: Record<string, pulumi.Input<string>>;
  /**
   * Environment variables by name (not secret: visible in the GitHub UI and logs).
   * @default {} — none.
   * @example { SLIPWAY_STACK: "production" }
   */
  variables?: Record<string, pulumi.Input<string>>;
}

/** A GitHub deployment environment with its protection rules, secrets and variables. */
export class GithubEnvironment extends pulumi.ComponentResource {
  /** The environment name, known only once the environment exists (so dependents wait for it). */
  public readonly environmentName: pulumi.Output<string>;
  /** Names of the managed secrets (never the values). */
  public readonly secretNames: pulumi.Output<string[]>;
  /** Names of the managed variables. */
  public readonly variableNames: pulumi.Output<string[]>;
  /** The branch and tag patterns, as `branch:<p>` / `tag:<p>`. */
  public readonly policyPatterns: pulumi.Output<string[]>;

  constructor(name: string, args: GithubEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before registering anything, so a bad argument leaves no half-built component behind.
    validateEnvironmentArgs(`GithubEnvironment "${name}"`, args);
    super("slipway:github:Environment", name, {}, opts);

    const branches = args.deploymentPolicy?.branches ?? [];
    const tags = args.deploymentPolicy?.tags ?? [];
    const custom = branches.length + tags.length > 0;
    const reviewers = args.reviewers;
    const hasReviewers = (reviewers?.users?.length ?? 0) + (reviewers?.teams?.length ?? 0) > 0;

    const env = new github.RepositoryEnvironment(
      `${name}-environment`,
      {
        repository: args.repository,
        environment: args.environment,
        reviewers: hasReviewers
          ? [{ users: (reviewers?.users ?? []).map((u) => this.userId(u)), teams: (reviewers?.teams ?? []).map((t) => this.teamId(t)) }]
          : undefined,
        waitTimer: args.waitTimer ?? 0,
        preventSelfReview: args.preventSelfReview ?? false,
        canAdminsBypass: args.canAdminsBypass ?? true,
        // Custom policies are the only way to allow tags; protected-branches mode cannot express them.
        deploymentBranchPolicy: custom ? { customBranchPolicies: true, protectedBranches: false } : undefined,
      },
      { parent: this },
    );
    const scoped = { parent: this, dependsOn: [env] };

    const patterns = [
      ...branches.map((p) => ({ kind: "branch" as const, p })),
      ...tags.map((p) => ({ kind: "tag" as const, p })),
    ];
    for (const { kind, p } of patterns) {
      new github.RepositoryEnvironmentDeploymentPolicy(
        `${name}-${kind}-${p}`,
        {
          repository: args.repository,
          environment: env.environment,
          ...(kind === "branch" ? { branchPattern: p } : { tagPattern: p }),
        },
        scoped,
      );
    }

    const secrets = Object.entries(args.secrets ?? {});
    for (const [key, value] of secrets) {
      new github.ActionsEnvironmentSecret(
        `${name}-secret-${key}`,
        { repository: args.repository, environment: env.environment, secretName: key, value: pulumi.secret(value) },
        scoped,
      );
    }
    const variables = Object.entries(args.variables ?? {});
    for (const [key, value] of variables) {
      new github.ActionsEnvironmentVariable(
        `${name}-variable-${key}`,
        { repository: args.repository, environment: env.environment, variableName: key, value },
        scoped,
      );
    }

    this.environmentName = env.environment;
    this.secretNames = pulumi.output(secrets.map(([k]) => k));
    this.variableNames = pulumi.output(variables.map(([k]) => k));
    this.policyPatterns = pulumi.output(patterns.map(({ kind, p }) => `${kind}:${p}`));
    this.registerOutputs({
      environmentName: this.environmentName,
      secretNames: this.secretNames,
      variableNames: this.variableNames,
      policyPatterns: this.policyPatterns,
    });
  }

  private userId(u: pulumi.Input<number> | string): pulumi.Input<number> {
    if (typeof u !== "string") return u;
    return github.getUserOutput({ username: u }, { parent: this }).apply((r) => lookupId("user", u, r.id));
  }

  private teamId(t: pulumi.Input<number> | string): pulumi.Input<number> {
    if (typeof t !== "string") return t;
    return github.getTeamOutput({ slug: t }, { parent: this }).apply((r) => lookupId("team", t, r.id));
  }
}

/** The invokes take `{ parent }` so they run with the same github provider as the children. */
function lookupId(kind: string, key: string, id: string): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`GitHub returned a non-numeric id ${JSON.stringify(id)} for ${kind} ${key}`);
  return n;
}

/** Conflicts first, then limits; each message names the offending argument. */
export function validateEnvironmentArgs(who: string, args: GithubEnvironmentArgs): void {
  const secretKeys = Object.keys(args.secrets ?? {});
  const variableKeys = Object.keys(args.variables ?? {});
  // GitHub upper-cases these names, so `token` and `TOKEN` are the same secret (or variable).
  const upper = (k: string): string => k.toUpperCase();
  const both = secretKeys.filter((k) => variableKeys.some((v) => upper(v) === upper(k)));
  if (both.length > 0) {
    throw new Error(`${who}: ${both.join(", ")} cannot be both a secret and a variable; choose one`);
  }
  // The rules slipway:github parses with (components/rules.ts).
  const bad = refusal("environment", githubEnvironmentNameSchema, args.environment);
  if (bad) throw new Error(`${who}: ${bad}`);
  for (const [what, keys] of [["secret", secretKeys], ["variable", variableKeys]] as const) {
    const twice = keys.find((k, i) => keys.findIndex((o) => upper(o) === upper(k)) !== i);
    if (twice !== undefined) {
      throw new Error(`${who}: ${what} name ${JSON.stringify(twice)} repeats another name; GitHub ignores case`);
    }
    for (const k of keys) {
      const problem = refusal(`${what} name`, githubSecretNameSchema, k);
      if (problem) throw new Error(`${who}: ${problem}`);
    }
  }
  const reviewers = (args.reviewers?.users?.length ?? 0) + (args.reviewers?.teams?.length ?? 0);
  if (reviewers > GITHUB_MAX_REVIEWERS) {
    throw new Error(`${who}: reviewers has ${reviewers} users and teams; GitHub allows at most ${GITHUB_MAX_REVIEWERS} together`);
  }
  const wait = args.waitTimer === undefined ? undefined : refusal("waitTimer", githubWaitTimerMinutesSchema, args.waitTimer);
  if (wait) throw new Error(`${who}: ${wait}`);
  for (const kind of ["branches", "tags"] as const) {
    const list = args.deploymentPolicy?.[kind] ?? [];
    const dup = list.find((p, i) => list.indexOf(p) !== i);
    if (dup !== undefined) {
      throw new Error(`${who}: deploymentPolicy.${kind} lists ${JSON.stringify(dup)} twice`);
    }
    const empty = list.find((p) => p.trim() === "");
    if (empty !== undefined) throw new Error(`${who}: deploymentPolicy.${kind} contains an empty pattern`);
  }
}
