import { resolve } from "node:path";
import type { Reply, RequestIssue, VendorFlavor } from "../common/http";

/** Where the read-only vendor specs live: ../shared/specs next to the repository. */
export const COOLIFY_SPEC = resolve(__dirname, "../../../../shared/specs/coolify/openapi.json");

// Coolify's state-changing endpoints moved to POST in v4.2; the GET forms answer this exact 405 there.
const MOVED_TO_POST = /^\/(deploy|(applications|databases|services)\/\{uuid\}\/(start|stop|restart))$/;

/** Laravel's validator wording, which Coolify returns verbatim ("api_url" is shown as "api url"). */
function laravelMessage(issue: RequestIssue): string {
  const attr = issue.field.split(".").pop()?.replace(/_/g, " ") ?? issue.field;
  switch (issue.keyword) {
    case "unknown":
      return "This field is not allowed.";
    case "required":
      return `The ${attr} field is required.`;
    case "type":
      switch (issue.expected) {
        case "string":
          return `The ${attr} field must be a string.`;
        case "integer":
          return `The ${attr} field must be an integer.`;
        case "number":
          return `The ${attr} field must be a number.`;
        case "boolean":
          return `The ${attr} field must be true or false.`;
        case "array":
          return `The ${attr} field must be an array.`;
        default:
          return `The ${attr} field format is invalid.`;
      }
    case "enum":
      return `The selected ${attr} is invalid.`;
    default:
      return `The ${attr} field format is invalid.`;
  }
}

/** An object with exactly these own keys, "__proto__" included (JSON.parse makes such keys own properties too). */
function jsonObject(entries: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Body keys whose values never reach the request log or the inventory in plaintext. */
export const SECRET_KEYS = [
  "value",
  "real_value",
  "postgres_password",
  "password",
  "token",
  "private_key",
  "secret",
  "http_basic_auth_password",
  "manual_webhook_secret_github",
  "manual_webhook_secret_gitlab",
  "manual_webhook_secret_bitbucket",
  "manual_webhook_secret_gitea",
];

export const coolifyFlavor: VendorFlavor = {
  name: "coolify",
  specFile: COOLIFY_SPEC,
  basePath: "/api/v1",
  // Coolify's controllers compare the body against an allow-list and reject the rest (see SOURCE.md).
  rejectUnknownBodyFields: true,
  secretKeys: SECRET_KEYS,
  validationError(issues: readonly RequestIssue[]): Reply {
    const wholeBody = issues.find((i) => i.in === "body" && i.field === "");
    if (wholeBody) {
      // An empty or non-object body never reaches Laravel's validator in Coolify: it answers 400 first.
      return { status: 400, body: { message: "Invalid request." } };
    }
    // A Map, not an object: a body key like "__proto__" or "constructor" must become an error entry like any
    // other field name, not reach Object.prototype (that was a 500 found by the contract fuzzer).
    const errors = new Map<string, string[]>();
    for (const issue of issues) errors.set(issue.field, [...(errors.get(issue.field) ?? []), laravelMessage(issue)]);
    return { status: 422, body: { message: "Validation failed.", errors: jsonObject(errors) } };
  },
  unauthorized: () => ({ status: 401, body: { message: "Unauthenticated." } }),
  notFound: (message = "Not found.") => ({ status: 404, body: { message } }),
  methodNotAllowed(method: string, template: string): Reply {
    if (method === "GET" && MOVED_TO_POST.test(template)) {
      return { status: 405, body: { message: "This endpoint has changed to a POST request." } };
    }
    return { status: 405, body: { message: `The ${method} method is not supported for route api/v1${template}.` } };
  },
  badRequest: (message: string) => ({ status: 400, body: { message } }),
  error: (status: number, message: string) => ({ status, body: { message } }),
};
