/**
 * The GitHub side of one environment: the repository environment (reviewers, wait timer, branch/tag
 * policy, secrets, variables). No deploy webhook: see rules.ts for why Coolify's cannot deploy image applications.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GithubEnvironment } from "../components/github/environment";
import type { Credentials } from "./credentials";
import type { GithubConfig, GithubEnvironmentFields } from "./schema";

export interface GithubDeployment {
  environment: pulumi.Output<string>;
  /** Names of `slipway:github.additionalEnvironments`, once they exist. */
  additionalEnvironments: pulumi.Output<string[]>;
}

export interface GithubInputs {
  github: GithubConfig;
  credentials: NonNullable<Credentials["github"]>;
  /** Secret values by name (already Pulumi secrets); only `github.secrets` names are used. */
  secrets: Record<string, pulumi.Output<string>>;
  parent: pulumi.Resource;
}

export function composeGithub(i: GithubInputs): GithubDeployment {
  const g = i.github;
  const provider = new github.Provider(
    "github",
    { owner: g.owner, token: i.credentials.token, ...(i.credentials.apiUrl ? { baseUrl: i.credentials.apiUrl } : {}) },
    { parent: i.parent },
  );
  const opts = { parent: i.parent, provider };

  const declare = (resourceName: string, name: string, e: GithubEnvironmentFields) =>
    new GithubEnvironment(
      resourceName,
      {
        repository: g.repository,
        environment: name,
        reviewers: { users: e.reviewers.users, teams: e.reviewers.teams },
        waitTimer: e.waitTimerMinutes,
        deploymentPolicy: e.deploymentPolicy,
        secrets: Object.fromEntries(e.secrets.map((n) => [n, i.secrets[n] as pulumi.Output<string>])),
        variables: e.variables,
      },
      opts,
    );
  const environment = declare("github-environment", g.environment, g);
  const additional = g.additionalEnvironments.map((e) => declare(`github-environment-${e.name}`, e.name, e));

  const additionalEnvironments = pulumi.all(additional.map((e) => e.environmentName));
  return { environment: environment.environmentName, additionalEnvironments };
}
