/**
 * The GitHub emulator's in-memory state: accounts, repositories, environments (with their protection rules,
 * deployment branch/tag policies, secrets and variables), repository secrets, variables and webhooks.
 *
 * Lookups follow GitHub's case rules: owner, repository and environment names are case-insensitive (the name
 * as first written is kept for display); secret and variable names are stored upper-cased, as GitHub does.
 */

export interface AccountSeed {
  login: string;
  /** Numeric id; assigned when omitted. */
  id?: number;
}

export interface TeamSeed {
  /** Organization login the team belongs to. */
  org: string;
  slug: string;
  id?: number;
}

export interface RepositorySeed {
  owner: string;
  name: string;
  id?: number;
  private?: boolean;
  /** @default "main" */
  defaultBranch?: string;
}

/**
 * What the emulator starts with; `reset()` returns to exactly this. The defaults match the project's own stack
 * configs (Pulumi.staging.yaml / Pulumi.production.yaml: owner acme, repository shop, reviewers alice-acme,
 * bob-acme and team release-managers), so `npm run emulators` serves them as they are.
 */
export interface GithubSeed {
  /** Organizations (`GET /orgs/{org}` → 200). @default [{ login: "acme" }] */
  orgs?: AccountSeed[];
  /** The token's user (`GET /user`); `GET /orgs/{login}` answers 404 for it. @default { login: "slipway-bot" } */
  user?: AccountSeed;
  /** Other users, e.g. environment reviewers. @default [{ login: "alice-acme" }, { login: "bob-acme" }] */
  users?: AccountSeed[];
  /** Teams, e.g. environment reviewers. @default [{ org: "acme", slug: "release-managers" }] */
  teams?: TeamSeed[];
  /** @default [{ owner: "acme", name: "shop" }] */
  repositories?: RepositorySeed[];
}

export type AccountKind = "User" | "Organization";

export interface Account {
  login: string;
  id: number;
  kind: AccountKind;
  createdAt: string;
}

export interface Team {
  id: number;
  org: string;
  slug: string;
}

export type ReviewerType = "User" | "Team";

export interface BranchPolicySettings {
  protected_branches: boolean;
  custom_branch_policies: boolean;
}

export interface DeploymentPolicy {
  id: number;
  name: string;
  type: "branch" | "tag";
}

export interface StoredSecret {
  /** Upper-cased, as GitHub reports it. */
  name: string;
  /** Decrypted plaintext: for tests to assert; never logged, never in the inventory. */
  value: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredVariable {
  name: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

export interface Environment {
  id: number;
  name: string;
  createdAt: string;
  updatedAt: string;
  /** Minutes; 0 means no wait_timer rule. */
  waitTimer: number;
  reviewers: Array<{ type: ReviewerType; id: number }>;
  preventSelfReview: boolean;
  canAdminsBypass: boolean;
  branchPolicy: BranchPolicySettings | null;
  /** Stable ids of the protection rules, as GitHub keeps them across updates. */
  ruleIds: { waitTimer: number; reviewers: number; branchPolicy: number };
  policies: Map<number, DeploymentPolicy>;
  secrets: Map<string, StoredSecret>;
  variables: Map<string, StoredVariable>;
}

export interface HookConfig {
  url: string;
  content_type: string;
  insecure_ssl: string;
  /** The real secret; answered as "********". */
  secret?: string;
}

export interface Hook {
  id: number;
  name: string;
  active: boolean;
  events: string[];
  config: HookConfig;
  createdAt: string;
  updatedAt: string;
}

export interface Repository {
  id: number;
  owner: Account;
  name: string;
  private: boolean;
  defaultBranch: string;
  createdAt: string;
  environments: Map<string, Environment>;
  secrets: Map<string, StoredSecret>;
  variables: Map<string, StoredVariable>;
  hooks: Map<number, Hook>;
}

export interface GithubState {
  user: Account;
  accounts: Map<string, Account>;
  teams: Map<number, Team>;
  repositories: Map<string, Repository>;
  /** One counter for every id the emulator hands out, so ids never collide across kinds. */
  nextId: number;
}

/** GitHub timestamps have second precision and a Z suffix. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function allocateId(state: GithubState): number {
  state.nextId += 1;
  return state.nextId;
}

const key = (s: string): string => s.toLowerCase();

export function createState(seed: GithubSeed, now: Date): GithubState {
  const created = isoSeconds(now);
  const state: GithubState = {
    user: { login: "", id: 0, kind: "User", createdAt: created },
    accounts: new Map(),
    teams: new Map(),
    repositories: new Map(),
    nextId: 1_000_000,
  };
  const addAccount = (a: AccountSeed, kind: AccountKind): Account => {
    const account: Account = { login: a.login, id: a.id ?? allocateId(state), kind, createdAt: created };
    state.accounts.set(key(a.login), account);
    return account;
  };
  for (const org of seed.orgs ?? [{ login: "acme" }]) addAccount(org, "Organization");
  state.user = addAccount(seed.user ?? { login: "slipway-bot" }, "User");
  for (const u of seed.users ?? [{ login: "alice-acme" }, { login: "bob-acme" }]) addAccount(u, "User");
  for (const t of seed.teams ?? [{ org: "acme", slug: "release-managers" }]) {
    const team: Team = { id: t.id ?? allocateId(state), org: t.org, slug: t.slug };
    state.teams.set(team.id, team);
  }
  for (const r of seed.repositories ?? [{ owner: "acme", name: "shop" }]) {
    // A repository may belong to an account that was not seeded explicitly: it is then a user.
    const owner = state.accounts.get(key(r.owner)) ?? addAccount({ login: r.owner }, "User");
    const repo: Repository = {
      id: r.id ?? allocateId(state),
      owner,
      name: r.name,
      private: r.private ?? true,
      defaultBranch: r.defaultBranch ?? "main",
      createdAt: created,
      environments: new Map(),
      secrets: new Map(),
      variables: new Map(),
      hooks: new Map(),
    };
    state.repositories.set(key(`${r.owner}/${r.name}`), repo);
  }
  return state;
}

export function findAccount(state: GithubState, login: string): Account | undefined {
  return state.accounts.get(key(login));
}

export function findRepository(state: GithubState, owner: string, name: string): Repository | undefined {
  return state.repositories.get(key(`${owner}/${name}`));
}

export function findRepositoryById(state: GithubState, id: number): Repository | undefined {
  for (const repo of state.repositories.values()) if (repo.id === id) return repo;
  return undefined;
}

export function findEnvironment(repo: Repository, name: string): Environment | undefined {
  return repo.environments.get(key(name));
}

export function putEnvironment(repo: Repository, env: Environment): void {
  repo.environments.set(key(env.name), env);
}

export function deleteEnvironment(repo: Repository, name: string): boolean {
  return repo.environments.delete(key(name));
}

/** Secret and variable names: GitHub stores and reports them upper-cased. */
export function actionsName(name: string): string {
  return name.toUpperCase();
}
