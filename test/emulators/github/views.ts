/**
 * JSON representations of the emulator's state, shaped as GitHub (Enterprise) answers them: every field the
 * spec requires, URLs rooted at the emulator (as a GHES instance roots them at its own host).
 */
import {
  type Account,
  type Environment,
  type GithubState,
  type Hook,
  type Repository,
  type StoredSecret,
  type StoredVariable,
  type Team,
} from "./model";

export interface Urls {
  /** API root without trailing slash, e.g. http://127.0.0.1:8081/api/v3 */
  api: string;
  /** Web root without trailing slash, e.g. http://127.0.0.1:8081 */
  web: string;
}

/** Legacy GitHub node ids: base64 of "0<len>:<Type><id>". */
export function nodeId(type: string, id: number): string {
  const tail = `${type}${id}`;
  return Buffer.from(`0${String(type.length).padStart(2, "0")}:${tail}`).toString("base64");
}

export function simpleUser(u: Urls, a: Account): Record<string, unknown> {
  const api = `${u.api}/users/${a.login}`;
  return {
    login: a.login,
    id: a.id,
    node_id: nodeId(a.kind, a.id),
    avatar_url: `${u.web}/avatars/u/${a.id}`,
    gravatar_id: "",
    url: api,
    html_url: `${u.web}/${a.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: a.kind,
    site_admin: false,
  };
}

/** `GET /user` for a token: the private view (`user_view_type: "private"`, with the private counters). */
export function privateUser(u: Urls, a: Account, state: GithubState): Record<string, unknown> {
  const owned = [...state.repositories.values()].filter((r) => r.owner.id === a.id);
  return {
    ...simpleUser(u, a),
    user_view_type: "private",
    name: a.login,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: owned.filter((r) => !r.private).length,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    private_gists: 0,
    total_private_repos: owned.filter((r) => r.private).length,
    owned_private_repos: owned.filter((r) => r.private).length,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

export function organization(u: Urls, a: Account, state: GithubState): Record<string, unknown> {
  const api = `${u.api}/orgs/${a.login}`;
  const repos = [...state.repositories.values()].filter((r) => r.owner.id === a.id);
  return {
    login: a.login,
    id: a.id,
    node_id: nodeId("Organization", a.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `${u.web}/avatars/u/${a.id}`,
    description: null,
    html_url: `${u.web}/${a.login}`,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: repos.filter((r) => !r.private).length,
    public_gists: 0,
    followers: 0,
    following: 0,
    type: "Organization",
    created_at: a.createdAt,
    updated_at: a.createdAt,
    archived_at: null,
    total_private_repos: repos.filter((r) => r.private).length,
    owned_private_repos: repos.filter((r) => r.private).length,
  };
}

export function fullRepository(u: Urls, r: Repository): Record<string, unknown> {
  const full = `${r.owner.login}/${r.name}`;
  const api = `${u.api}/repos/${full}`;
  const host = new URL(u.web).host;
  return {
    id: r.id,
    node_id: nodeId("Repository", r.id),
    name: r.name,
    full_name: full,
    owner: simpleUser(u, r.owner),
    ...(r.owner.kind === "Organization" ? { organization: simpleUser(u, r.owner) } : {}),
    private: r.private,
    visibility: r.private ? "private" : "public",
    html_url: `${u.web}/${full}`,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${u.web}/${full}.git`,
    git_url: `git://${host}/${full}.git`,
    ssh_url: `git@${host}:${full}.git`,
    svn_url: `${u.web}/${full}`,
    mirror_url: null,
    homepage: null,
    language: null,
    default_branch: r.defaultBranch,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: 0,
    open_issues_count: 0,
    network_count: 0,
    subscribers_count: 0,
    size: 0,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    is_template: false,
    license: null,
    topics: [],
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    pushed_at: r.createdAt,
    created_at: r.createdAt,
    updated_at: r.createdAt,
  };
}

function team(u: Urls, t: Team): Record<string, unknown> {
  const api = `${u.api}/organizations/${t.org}/team/${t.id}`;
  return {
    id: t.id,
    node_id: nodeId("Team", t.id),
    url: api,
    html_url: `${u.web}/orgs/${t.org}/teams/${t.slug}`,
    name: t.slug,
    slug: t.slug,
    description: null,
    privacy: "closed",
    notification_setting: "notifications_enabled",
    permission: "pull",
    members_url: `${api}/members{/member}`,
    repositories_url: `${api}/repos`,
    parent: null,
    type: "organization",
  };
}

/**
 * An environment as GitHub answers it: each protection rule appears only while it is in force (the provider
 * relies on a missing rule meaning "unset"), and `can_admins_bypass` is present although the spec omits it —
 * the provider reads it back.
 */
export function environment(u: Urls, state: GithubState, r: Repository, e: Environment): Record<string, unknown> {
  const rules: Array<Record<string, unknown>> = [];
  if (e.waitTimer > 0) {
    rules.push({ id: e.ruleIds.waitTimer, node_id: nodeId("Gate", e.ruleIds.waitTimer), type: "wait_timer", wait_timer: e.waitTimer });
  }
  if (e.reviewers.length > 0) {
    const reviewers = e.reviewers.map((rv) => {
      if (rv.type === "Team") {
        const t = state.teams.get(rv.id);
        return { type: "Team", reviewer: t ? team(u, t) : { id: rv.id } };
      }
      const a = [...state.accounts.values()].find((acc) => acc.id === rv.id);
      return { type: "User", reviewer: a ? simpleUser(u, a) : { id: rv.id } };
    });
    rules.push({
      id: e.ruleIds.reviewers,
      node_id: nodeId("Gate", e.ruleIds.reviewers),
      type: "required_reviewers",
      prevent_self_review: e.preventSelfReview,
      reviewers,
    });
  }
  if (e.branchPolicy !== null) {
    rules.push({ id: e.ruleIds.branchPolicy, node_id: nodeId("Gate", e.ruleIds.branchPolicy), type: "branch_policy" });
  }
  const full = `${r.owner.login}/${r.name}`;
  return {
    id: e.id,
    node_id: nodeId("Environment", e.id),
    name: e.name,
    url: `${u.api}/repos/${full}/environments/${encodeURIComponent(e.name)}`,
    html_url: `${u.web}/${full}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    can_admins_bypass: e.canAdminsBypass,
    protection_rules: rules,
    deployment_branch_policy: e.branchPolicy === null ? null : { ...e.branchPolicy },
  };
}

export function hook(u: Urls, r: Repository, h: Hook): Record<string, unknown> {
  const api = `${u.api}/repos/${r.owner.login}/${r.name}/hooks/${h.id}`;
  return {
    type: "Repository",
    id: h.id,
    name: h.name,
    active: h.active,
    events: [...h.events],
    // Always present (the provider dereferences it); the secret is never echoed, only its presence.
    config: {
      url: h.config.url,
      content_type: h.config.content_type,
      insecure_ssl: h.config.insecure_ssl,
      ...(h.config.secret !== undefined && h.config.secret !== "" ? { secret: "********" } : {}),
    },
    updated_at: h.updatedAt,
    created_at: h.createdAt,
    url: api,
    test_url: `${api}/test`,
    ping_url: `${api}/pings`,
    deliveries_url: `${api}/deliveries`,
    last_response: { code: null, status: "unused", message: null },
  };
}

export function secretView(s: StoredSecret): Record<string, unknown> {
  return { name: s.name, created_at: s.createdAt, updated_at: s.updatedAt };
}

export function variableView(v: StoredVariable): Record<string, unknown> {
  return { name: v.name, value: v.value, created_at: v.createdAt, updated_at: v.updatedAt };
}
