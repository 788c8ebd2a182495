/**
 * `slipway:github`: the repository's deployment environment for this stack (reviewers, wait timer,
 * branch/tag policy, variables, secret names), more environments the stack owns (e.g. `preview` for
 * pull-request jobs), and the deploy webhook.
 */
import { bool, envMap, expected, list, obj, text } from "./schema-parts";
import { githubEnvironmentNameSchema, githubSecretNameSchema, githubWaitTimerMinutesSchema } from "../components/rules";

const githubName = /^[A-Za-z0-9_.-]+$/;
/** What one GitHub environment holds; shared by the main environment and `additionalEnvironments`. */
const environmentFields = {
  reviewers: obj({
    users: list(text("a GitHub user name"), "user names").default([]),
    teams: list(text("a team slug"), "team slugs").default([]),
  }).prefault({}),
  waitTimerMinutes: githubWaitTimerMinutesSchema.default(0),
  deploymentPolicy: obj({
    branches: list(text("a branch name pattern like main"), "branch patterns").min(1, expected("at least one branch pattern")).optional(),
    tags: list(text('a tag pattern like "v*.*.*"'), "tag patterns").min(1, expected("at least one tag pattern")).optional(),
  }).optional(),
  variables: envMap("a GitHub variable name (letters, digits, _; not starting with GITHUB_)", githubSecretNameSchema).default({}),
  secrets: list(githubSecretNameSchema, "secret names").default([]),
};

export const githubEnvironmentSchema = obj({ name: githubEnvironmentNameSchema, ...environmentFields });

export const githubSchema = obj({
  owner: text("a GitHub user or organization", /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/),
  repository: text("a repository name", githubName),
  environment: githubEnvironmentNameSchema,
  ...environmentFields,
  /** More environments this stack declares, e.g. `preview` for pull-request jobs. */
  additionalEnvironments: list(githubEnvironmentSchema, "environments").default([]),
  /** Refused by rules.ts (with the reason): Coolify's GitHub webhook cannot deploy image applications. */
  webhook: obj({
    events: list(text("a GitHub webhook event like push"), "events").min(1, expected("at least one event")).default(["push"]),
    active: bool().default(true),
    /** Where GitHub delivers; defaults to Coolify's manual GitHub webhook under `coolify:url`'s host. */
    url: text("an https:// URL GitHub can reach", /^https:\/\/[^\s/]+(\/\S*)?$/).optional(),
  }).optional(),
});

