/**
 * GitHub's side of the shared emulator server: spec, base path, error shapes and headers as the real REST API
 * (and a GitHub Enterprise Server, which is what go-github sees behind a custom base URL) answers them.
 */
import type { IncomingHttpHeaders } from "node:http";
import { resolve } from "node:path";
import type { Reply, RequestIssue, VendorFlavor } from "../common/http";
import { githubSpecFile } from "./spec";

export const GITHUB_SPEC_FILE = resolve(__dirname, "../../../../shared/specs/github/openapi-subset.json");

const DOCS = "https://docs.github.com/rest";

/** GitHub's error body: `{message, documentation_url}`, plus the `status` string newer responses carry. */
export function githubError(status: number, message: string, extra?: Record<string, unknown>): Reply {
  return { status, body: { message, documentation_url: DOCS, status: String(status), ...extra } };
}

/** The 422 "Validation Failed" shape with an `errors` array (validation-error in the spec). */
export function validationFailed(errors: Array<Record<string, unknown>>): Reply {
  return githubError(422, "Validation Failed", { errors });
}

/** GitHub words schema failures as `Invalid request.\n\n<detail>` (one line per problem). */
function describe(issue: RequestIssue): string {
  const field = issue.field === "" ? "the body" : `'${issue.field}'`;
  switch (issue.keyword) {
    case "required":
      return issue.field === "" ? "A JSON body is required." : `"${issue.field.split(".").pop() ?? ""}" wasn't supplied.`;
    case "unknown":
      return `No subschema in "anyOf" matched: ${field} is not a permitted key.`;
    case "type":
      return `For ${field}, the value is not ${typeof issue.expected === "string" ? `a(n) ${issue.expected}` : "of the expected type"}.`;
    case "enum":
      return `For ${field}, the value is not one of ${JSON.stringify(issue.expected ?? [])}.`;
    default:
      return `For ${field}, ${issue.message}.`;
  }
}

/**
 * A rate-limit budget that never runs dry: go-github sleeps until X-RateLimit-Reset when Remaining is 0, so a
 * zero here would stall every client. Reset is wall-clock (not emulated) time because clients compare it with
 * their own clock.
 */
function rateLimitHeaders(used: number): Record<string, string> {
  const limit = 5000;
  return {
    "X-RateLimit-Limit": String(limit),
    "X-RateLimit-Remaining": String(limit - 1 - (used % 1000)),
    "X-RateLimit-Used": String(1 + (used % 1000)),
    "X-RateLimit-Reset": String(Math.floor(Date.now() / 1000) + 3600),
    "X-RateLimit-Resource": "core",
  };
}

export function githubFlavor(): VendorFlavor {
  let answered = 0;
  return {
    name: "github",
    // The shared subset plus the Deployments routes (spec.ts).
    specFile: githubSpecFile(GITHUB_SPEC_FILE),
    basePath: "/api/v3",
    // GitHub ignores unknown keys unless a schema closes them (additionalProperties: false), which ajv enforces.
    rejectUnknownBodyFields: false,
    // encrypted_value is ciphertext, yet the log has no reason to keep it; a hook's config.secret is plaintext.
    secretKeys: ["encrypted_value", "secret"],
    validationError(issues: readonly RequestIssue[]): Reply {
      // A malformed path parameter (e.g. a non-numeric hook id) never matches a GitHub route: 404.
      if (issues.length > 0 && issues.every((i) => i.in === "path")) return githubError(404, "Not Found");
      return githubError(422, `Invalid request.\n\n${issues.map(describe).join("\n")}`);
    },
    unauthorized(): Reply {
      return githubError(401, "Bad credentials");
    },
    notFound(message?: string): Reply {
      return githubError(404, message ?? "Not Found");
    },
    methodNotAllowed(): Reply {
      // GitHub answers an unsupported method on a known path as an unknown route.
      return githubError(404, "Not Found");
    },
    badRequest(message: string): Reply {
      return githubError(400, message.startsWith("Problems parsing JSON") ? message : `Problems parsing JSON: ${message}`);
    },
    error(status: number, message: string): Reply {
      // GitHub's 429 is its secondary rate limit; go-github recognizes it only by this documentation_url suffix
      // (then honours Retry-After), so an injected 429 must carry it to be retried like the real one.
      if (status === 429) {
        return {
          status,
          body: {
            message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            documentation_url: "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            status: "429",
          },
        };
      }
      return githubError(status, message);
    },
    authenticate(headers: IncomingHttpHeaders, configuredToken: string | undefined): boolean {
      // go-github (oauth2) sends "Bearer"; GitHub also takes the older "token" scheme.
      const m = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
      if (!m?.[1]) return false;
      return configuredToken === undefined || m[1] === configuredToken;
    },
    extraHeaders(): Record<string, string> {
      answered += 1;
      return {
        ...rateLimitHeaders(answered),
        "X-GitHub-Media-Type": "github.v3; format=json",
        "X-GitHub-Api-Version-Selected": "2022-11-28",
      };
    },
  };
}
