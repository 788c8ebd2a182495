import type { IncomingHttpHeaders } from "node:http";
import type { RequestIssue, VendorFlavor } from "../common/http";
import { FLY_SPEC_FILE } from "./route";
import { flyErrorReply } from "./state";

/**
 * The Machines API is a Go service decoding into fly-go's types, so it reads what its description's types do not
 * say: `null` for any field means unset (Go encoding/json: null into a pointer, map or slice sets nil, into
 * anything else does nothing), which is what fly-go sends for every unset pointer without omitempty
 * (`force_instance_key`, CreateVolumeRequest's `fstype`/`snapshot_id`/`compute`/`auto_backup_enabled`…,
 * UpdateAppSecretsRequest's `{"FOO": null}`: fly-go v0.9.3 machine_types.go, volume_types.go, secrets_types.go);
 * and `autostop` as a boolean, which the description itself accepts (fly.MachineService.autostop: `false` is
 * "off", `true` is "stop"; fly-go MachineAutostop.UnmarshalJSON). Replies carry the same forms (the API answers
 * booleans for off/stop, nulls for unset pointers), so both directions are rewritten before validation.
 */
export function goJsonToSpecForm(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(goJsonToSpecForm);
  if (body === null || typeof body !== "object") return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === null) continue;
    out[k] = k === "autostop" && typeof v === "boolean" ? (v ? "stop" : "off") : goJsonToSpecForm(v);
  }
  return out;
}

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
  toSpecForm: (body) => goJsonToSpecForm(body),
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
