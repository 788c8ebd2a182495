/**
 * Lookups OUTSIDE the subset spec, served because slipway's GithubEnvironment resolves reviewer names to ids
 * with the provider's `github.getUser` / `github.getTeam` data sources, which call them:
 *  - getUser: `GET /users/{username}`, then its GPG and SSH key lists;
 *  - getTeam: `GET /orgs/{org}/teams/{team_slug}`, then (unless summary_only) the team's members and
 *    repositories, by id (`/organizations/{org_id}/team/{team_id}/...`) or by slug in other provider versions.
 * They are marked offSpec (the shared server cannot validate them); shapes follow GitHub's public-user and
 * team objects. Team membership and key lists are not modelled, so those lists are empty, as for a new team.
 */
import type { Reply, Route, RouteContext } from "../common/http";
import { type GithubRuntime, param } from "./context";
import { findAccount, type Team } from "./model";
import { simpleUser } from "./views";

function teamBySlug(rt: GithubRuntime, org: string, slug: string): Team | undefined {
  return [...rt.state.teams.values()].find((t) => t.org.toLowerCase() === org.toLowerCase() && t.slug.toLowerCase() === slug.toLowerCase());
}

function teamView(rt: GithubRuntime, t: Team): Record<string, unknown> {
  const org = findAccount(rt.state, t.org);
  const api = `${rt.urls.api}/organizations/${org?.id ?? 0}/team/${t.id}`;
  return {
    id: t.id,
    node_id: Buffer.from(`04:Team${t.id}`).toString("base64"),
    url: api,
    html_url: `${rt.urls.web}/orgs/${t.org}/teams/${t.slug}`,
    name: t.slug,
    slug: t.slug,
    description: null,
    privacy: "closed",
    notification_setting: "notifications_enabled",
    permission: "pull",
    members_url: `${api}/members{/member}`,
    repositories_url: `${api}/repos`,
    parent: null,
    members_count: 0,
    repos_count: 0,
    organization: org ? simpleUser(rt.urls, org) : null,
  };
}

/** The list routes of a known user or team answer an empty page; an unknown one is GitHub's 404. */
function emptyListIf(exists: boolean, ctx: RouteContext): Reply {
  return exists ? { status: 200, body: [] } : ctx.flavor.notFound();
}

export function lookupRoutes(rt: GithubRuntime): Route[] {
  const user = (ctx: RouteContext) => findAccount(rt.state, param(ctx, "username"));
  const teamById = (ctx: RouteContext) => {
    const t = rt.state.teams.get(Number(param(ctx, "team_id")));
    return t !== undefined && findAccount(rt.state, t.org)?.id === Number(param(ctx, "org_id")) ? t : undefined;
  };
  const teamSlug = (ctx: RouteContext) => teamBySlug(rt, param(ctx, "org"), param(ctx, "team_slug"));
  return [
    {
      method: "GET",
      path: "/users/{username}",
      offSpec: true,
      handler: (ctx) => {
        const a = user(ctx);
        if (!a) return ctx.flavor.notFound();
        return {
          status: 200,
          body: { ...simpleUser(rt.urls, a), user_view_type: "public", name: a.login, company: null, blog: "", location: null, email: null, hireable: null, bio: null, public_repos: 0, public_gists: 0, followers: 0, following: 0, created_at: a.createdAt, updated_at: a.createdAt },
        };
      },
    },
    { method: "GET", path: "/users/{username}/gpg_keys", offSpec: true, handler: (ctx) => emptyListIf(user(ctx) !== undefined, ctx) },
    { method: "GET", path: "/users/{username}/keys", offSpec: true, handler: (ctx) => emptyListIf(user(ctx) !== undefined, ctx) },
    {
      method: "GET",
      path: "/orgs/{org}/teams/{team_slug}",
      offSpec: true,
      handler: (ctx) => {
        const t = teamSlug(ctx);
        return t ? { status: 200, body: teamView(rt, t) } : ctx.flavor.notFound();
      },
    },
    { method: "GET", path: "/orgs/{org}/teams/{team_slug}/members", offSpec: true, handler: (ctx) => emptyListIf(teamSlug(ctx) !== undefined, ctx) },
    { method: "GET", path: "/orgs/{org}/teams/{team_slug}/repos", offSpec: true, handler: (ctx) => emptyListIf(teamSlug(ctx) !== undefined, ctx) },
    { method: "GET", path: "/organizations/{org_id}/team/{team_id}/members", offSpec: true, handler: (ctx) => emptyListIf(teamById(ctx) !== undefined, ctx) },
    { method: "GET", path: "/organizations/{org_id}/team/{team_id}/repos", offSpec: true, handler: (ctx) => emptyListIf(teamById(ctx) !== undefined, ctx) },
  ];
}
