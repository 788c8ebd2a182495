/**
 * Platform credentials for the targets a stack config declares, resolved once, up front. Components could
 * each look them up, but then a missing Fly token would surface after the Coolify resources were already
 * registered; resolving here lets the program fail before the first resource, listing every gap at once.
 *
 * Sources, in order: provider config (`coolify:url`/`coolify:token`, `fly:apiUrl`/`fly:token`,
 * `github:token`/`github:baseUrl`), then the environment (COOLIFY_URL, COOLIFY_TOKEN, FLY_API_URL,
 * FLY_API_TOKEN, GITHUB_TOKEN, GITHUB_API_URL). Tokens become Pulumi secrets whatever their source.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./schema";
import { describeHidden } from "./secrets";

export interface PlatformConnection {
  /** API base URL, without a trailing slash. */
  apiUrl: string;
  /** API token, as a Pulumi secret. */
  token: pulumi.Output<string>;
}

export interface Credentials {
  /** Present when `slipway:targets.coolify` is set. */
  coolify?: PlatformConnection;
  /** Present when `slipway:targets.fly` is set. */
  fly?: PlatformConnection;
  /** Present when `slipway:github` is set; `apiUrl` undefined means api.github.com. */
  github?: { apiUrl?: string; token: pulumi.Output<string> };
}

/** Where credentials are looked up; `loadCredentials` reads the running stack, tests pass their own. */
export interface CredentialSources {
  /** A provider config value, e.g. ("fly", "token"); `secret` says whether it was set with `--secret`. */
  config(namespace: string, key: string): { value: string; secret: boolean } | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

/** Fly's public Machines API, used when neither `fly:apiUrl` nor FLY_API_URL says otherwise. */
export const DEFAULT_FLY_API_URL = "https://api.machines.dev";

const LOCAL_HOST = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/;

function checkUrl(where: string, url: string, problems: string[]): string {
  // Plain http only for local emulators: a token sent over http elsewhere is a token leaked.
  if (!/^https:\/\/[^\s/]+/.test(url) && !LOCAL_HOST.test(url)) {
    problems.push(`${where}: expected an https:// URL (http:// only for localhost), got ${JSON.stringify(url)}`);
  }
  return url.replace(/\/+$/, "");
}

/**
 * Resolves what `config` needs. Returns the credentials and the problems found (one line each, in the same
 * style as config errors), so the caller can report them together with any config problems.
 */
export function resolveCredentials(config: StackConfig, sources: CredentialSources): { credentials: Credentials; problems: string[] } {
  const problems: string[] = [];
  const credentials: Credentials = {};

  const token = (ns: string, key: string, envName: string, purpose: string): pulumi.Output<string> | undefined => {
    const fromConfig = sources.config(ns, key);
    if (fromConfig !== undefined && fromConfig.value !== "") {
      if (!fromConfig.secret) {
        problems.push(`${ns}:${key}: expected a secure value, got a plaintext ${describeHidden(fromConfig.value).replace(/^a /, "")} — use \`pulumi config set --secret ${ns}:${key} <token>\``);
        return undefined;
      }
      return pulumi.secret(fromConfig.value);
    }
    const fromEnv = sources.env[envName];
    if (fromEnv !== undefined && fromEnv !== "") return pulumi.secret(fromEnv);
    problems.push(`${ns}:${key}: expected ${purpose}, got nothing — run \`pulumi config set --secret ${ns}:${key} <token>\` or set ${envName}`);
    return undefined;
  };
  const url = (ns: string, key: string, envName: string): string | undefined => {
    const v = sources.config(ns, key)?.value ?? sources.env[envName];
    return v === undefined || v === "" ? undefined : checkUrl(`${ns}:${key}`, v, problems);
  };

  if (config.targets.coolify) {
    const apiUrl = url("coolify", "url", "COOLIFY_URL");
    if (apiUrl === undefined) {
      problems.push("coolify:url: expected the Coolify API URL for slipway:targets.coolify (e.g. https://coolify.example.com/api/v1), got nothing — run `pulumi config set coolify:url <url>` or set COOLIFY_URL");
    }
    const t = token("coolify", "token", "COOLIFY_TOKEN", "a Coolify API token for slipway:targets.coolify");
    if (apiUrl !== undefined && t !== undefined) credentials.coolify = { apiUrl, token: t };
  }
  if (config.targets.fly) {
    const apiUrl = url("fly", "apiUrl", "FLY_API_URL") ?? DEFAULT_FLY_API_URL;
    const t = token("fly", "token", "FLY_API_TOKEN", "a Fly API token for slipway:targets.fly");
    if (t !== undefined) credentials.fly = { apiUrl, token: t };
  }
  if (config.github) {
    const apiUrl = url("github", "baseUrl", "GITHUB_API_URL");
    const t = token("github", "token", "GITHUB_TOKEN", "a GitHub token for slipway:github");
    if (t !== undefined) credentials.github = { apiUrl, token: t };
  }
  return { credentials, problems };
}

/** The running stack's provider config and process environment as credential sources. */
export function runtimeCredentialSources(): CredentialSources {
  const all = pulumi.runtime.allConfig();
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return {
    config(namespace, key) {
      const k = `${namespace}:${key}`;
      const value = all[k];
      return value === undefined ? undefined : { value, secret: runtime.isConfigSecret?.(k) === true };
    },
    env: process.env,
  };
}
