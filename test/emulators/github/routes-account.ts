/**
 * Configure-time and lookup routes: `GET /user` (who the token is), `GET /orgs/{org}` (the provider decides
 * between organization and user owner from its 200/404), `GET /repos/{owner}/{repo}` (every resource reads
 * the repository id from it), and the Pages/license lookups of the repository data source.
 */
import type { Route } from "../common/http";
import { type GithubRuntime, isReply, param, repoOf } from "./context";
import { findAccount } from "./model";
import { fullRepository, organization, privateUser } from "./views";

export function accountRoutes(rt: GithubRuntime): Route[] {
  return [
    {
      method: "GET",
      path: "/user",
      handler: () => ({ status: 200, body: privateUser(rt.urls, rt.state.user, rt.state) }),
    },
    {
      method: "GET",
      path: "/orgs/{org}",
      handler: (ctx) => {
        const account = findAccount(rt.state, param(ctx, "org"));
        // A user login answers 404 here, exactly what makes the provider treat the owner as an individual.
        if (!account || account.kind !== "Organization") return ctx.flavor.notFound();
        return { status: 200, body: organization(rt.urls, account, rt.state) };
      },
    },
    {
      method: "GET",
      path: "/repos/{owner}/{repo}",
      handler: (ctx) => {
        const repo = repoOf(rt, ctx);
        if (isReply(repo)) return repo;
        return { status: 200, body: fullRepository(rt.urls, repo) };
      },
    },
    {
      method: "GET",
      path: "/repos/{owner}/{repo}/pages",
      handler: (ctx) => {
        const repo = repoOf(rt, ctx);
        if (isReply(repo)) return repo;
        // Seeded repositories never publish a Pages site; GitHub answers 404 for those.
        return ctx.flavor.notFound();
      },
    },
    {
      method: "GET",
      path: "/repos/{owner}/{repo}/license",
      handler: (ctx) => {
        const repo = repoOf(rt, ctx);
        if (isReply(repo)) return repo;
        // No LICENSE file is emulated; GitHub answers 404 for a repository without one.
        return ctx.flavor.notFound();
      },
    },
  ];
}
