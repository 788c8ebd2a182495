/**
 * Repository webhooks, as `github_repository_webhook` drives them. GitHub never echoes a hook secret (it
 * answers "********" when one is set), always includes `config`, and reports `insecure_ssl` as a string.
 */
import type { Reply, Route } from "../common/http";
import { body, type GithubRuntime, isReply, nowIso, param, repoOf } from "./context";
import { validationFailed } from "./flavor";
import { allocateId, type Hook, type HookConfig } from "./model";
import { hook } from "./views";

function fieldError(field: string, message: string, code = "custom"): Reply {
  return validationFailed([{ resource: "Hook", code, field, message }]);
}

/** Builds a hook config from a request's `config`, or the 422 GitHub answers; `previousUrl` backs a PATCH. */
function parseConfig(raw: unknown, previousUrl: string | undefined): HookConfig | Reply {
  const c = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  const url = typeof c.url === "string" ? c.url : previousUrl;
  if (url === undefined || url === "") return fieldError("url", "Config must contain URL for webhooks", "missing_field");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fieldError("url", "Url is not a valid URL", "invalid");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return fieldError("url", "Url must use http or https", "invalid");
  const contentType = c.content_type ?? "form";
  if (contentType !== "json" && contentType !== "form") {
    return fieldError("content_type", "Content type must be one of: json, form", "invalid");
  }
  // The spec allows a number; GitHub stores and answers a string ("0"/"1"), the only form go-github parses.
  const insecure = c.insecure_ssl === undefined ? "0" : String(c.insecure_ssl);
  if (insecure !== "0" && insecure !== "1") return fieldError("insecure_ssl", "Insecure ssl must be 0 or 1", "invalid");
  const secret = typeof c.secret === "string" && c.secret !== "" ? c.secret : undefined;
  return { url, content_type: contentType, insecure_ssl: insecure, ...(secret !== undefined ? { secret } : {}) };
}

function eventsOf(raw: unknown): string[] | undefined {
  return Array.isArray(raw) ? [...new Set(raw.map(String))] : undefined;
}

export function hookRoutes(rt: GithubRuntime): Route[] {
  const base = "/repos/{owner}/{repo}/hooks";
  const hookOf = (ctx: Parameters<Route["handler"]>[0]): { repo: ReturnType<typeof repoOf>; hook?: Hook } => {
    const repo = repoOf(rt, ctx);
    if (isReply(repo)) return { repo };
    return { repo, hook: repo.hooks.get(Number(param(ctx, "hook_id"))) };
  };
  return [
    {
      method: "POST",
      path: base,
      handler: (ctx) => {
        const repo = repoOf(rt, ctx);
        if (isReply(repo)) return repo;
        const b = body(ctx);
        if (b.name !== undefined && b.name !== "web") return fieldError("name", "Name must be 'web' for repository webhooks", "invalid");
        const config = parseConfig(b.config, undefined);
        if (isReply(config)) return config;
        for (const h of repo.hooks.values()) {
          if (h.config.url === config.url) return validationFailed([{ resource: "Hook", code: "custom", message: "Hook already exists on this repository" }]);
        }
        const events = eventsOf(b.events) ?? ["push"];
        if (events.length === 0) return fieldError("events", "Events can't be blank", "missing_field");
        const now = nowIso(ctx);
        const created: Hook = { id: allocateId(rt.state), name: "web", active: b.active !== false, events, config, createdAt: now, updatedAt: now };
        repo.hooks.set(created.id, created);
        const view = hook(rt.urls, repo, created);
        return { status: 201, body: view, headers: { Location: String(view.url) } };
      },
    },
    {
      method: "GET",
      path: `${base}/{hook_id}`,
      handler: (ctx) => {
        const { repo, hook: h } = hookOf(ctx);
        if (isReply(repo)) return repo;
        return h ? { status: 200, body: hook(rt.urls, repo, h) } : ctx.flavor.notFound();
      },
    },
    {
      method: "PATCH",
      path: `${base}/{hook_id}`,
      handler: (ctx) => {
        const { repo, hook: h } = hookOf(ctx);
        if (isReply(repo)) return repo;
        if (!h) return ctx.flavor.notFound();
        const b = body(ctx);
        // A given config replaces the stored one (a secret left out is removed); the url may be left out.
        const config = b.config === undefined ? h.config : parseConfig(b.config, h.config.url);
        if (isReply(config)) return config;
        let events = eventsOf(b.events) ?? h.events;
        for (const e of eventsOf(b.add_events) ?? []) if (!events.includes(e)) events = [...events, e];
        const remove = new Set(eventsOf(b.remove_events) ?? []);
        events = events.filter((e) => !remove.has(e));
        if (events.length === 0) return fieldError("events", "Events can't be blank", "missing_field");
        h.config = config;
        h.events = events;
        if (typeof b.active === "boolean") h.active = b.active;
        h.updatedAt = nowIso(ctx);
        return { status: 200, body: hook(rt.urls, repo, h) };
      },
      // The provider's EditHook sends the whole hook, including its own API `url` (not in the spec); the real
      // service ignores it, and so do we.
      deviations: { extraBodyFields: ["url"] },
    },
    {
      method: "DELETE",
      path: `${base}/{hook_id}`,
      handler: (ctx) => {
        const { repo, hook: h } = hookOf(ctx);
        if (isReply(repo)) return repo;
        if (!h) return ctx.flavor.notFound();
        repo.hooks.delete(h.id);
        return { status: 204 };
      },
    },
  ];
}
