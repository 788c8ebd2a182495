import type { IncomingHttpHeaders } from "node:http";
import type { RequestIssue, VendorFlavor } from "../common/http";
import { FLY_SPEC_FILE } from "./route";
import { flyErrorReply } from "./state";

function describe(i: RequestIssue): string {
  const where = i.field ? `${i.in}.${i.field}` : i.in;
  return `${where} ${i.message}`;
}

/**
 * Fly Machines API flavor. Errors are `{"error": "...", "status": <code>}` (spec ErrorResponse). The API is a
 * Go service whose JSON decoder ignores unknown fields, so unknown body fields are accepted, not rejected.
 */
export const flyFlavor: VendorFlavor = {
  name: "fly",
  specFile: FLY_SPEC_FILE,
  basePath: "",
  rejectUnknownBodyFields: false,
  secretKeys: ["value", "values", "private_key", "nonce"],
  validationError: (issues) => flyErrorReply(400, `invalid_argument: ${issues.map(describe).join("; ")}`),
  unauthorized: () => flyErrorReply(401, "You must be authenticated to view this."),
  notFound: (message) => flyErrorReply(404, message ?? "not found"),
  methodNotAllowed: (method, template) => flyErrorReply(405, `method ${method} not allowed on ${template}`),
  badRequest: (message) => flyErrorReply(400, `invalid_argument: ${message}`),
  error: (status, message) => flyErrorReply(status, message),
  /**
   * flyctl sends macaroon tokens as `Authorization: FlyV1 fm2_…`; other clients send `Bearer <token>`.
   * Both schemes are accepted; with a configured token only that token passes.
   */
  authenticate(headers: IncomingHttpHeaders, configured: string | undefined): boolean {
    const m = /^(Bearer|FlyV1)\s+(\S.*)$/i.exec(headers.authorization ?? "");
    const token = m?.[2]?.trim();
    return token !== undefined && token !== "" && (configured === undefined || token === configured);
  },
};
