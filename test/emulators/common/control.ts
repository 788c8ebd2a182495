import { parseFaultRule } from "./faults";
import type { EmulatorHooks, Reply } from "./http";
import type { Emulator } from "./types";

/**
 * The `/_emulator/` control API (no auth), mirroring the in-process methods so the sandbox and the e2e
 * suite, which run the emulators in another process, can drive them too.
 */
export function handleControl(emulator: Emulator, action: string, method: string, rawBody: string, vendor?: EmulatorHooks["control"]): Reply {
  let body: Record<string, unknown> = {};
  if (rawBody.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(rawBody);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      else return { status: 400, body: { error: "body must be a JSON object" } };
    } catch {
      return { status: 400, body: { error: "invalid JSON" } };
    }
  }
  const key = `${method.toUpperCase()} ${action.replace(/\/+$/, "")}`;
  try {
    switch (key) {
      case "GET inventory":
        return { status: 200, body: emulator.inventory() };
      case "GET log":
        return { status: 200, body: emulator.log };
      case "GET violations":
        return { status: 200, body: emulator.responseViolations };
      case "POST faults":
        emulator.injectFault(parseFaultRule(body));
        return { status: 204 };
      case "POST images/unhealthy":
        if (typeof body.image !== "string" || body.image === "") return { status: 400, body: { error: "image (string) required" } };
        emulator.markImageUnhealthy(body.image);
        return { status: 204 };
      case "POST clock/advance":
        if (typeof body.ms !== "number" || !(body.ms >= 0)) return { status: 400, body: { error: "ms (number >= 0) required" } };
        emulator.advance(body.ms);
        return { status: 204 };
      case "POST reset":
        emulator.reset();
        return { status: 204 };
      default:
        return vendor?.(action.replace(/\/+$/, ""), method.toUpperCase(), body) ?? { status: 404, body: { error: `unknown control action ${key}` } };
    }
  } catch (err) {
    return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
  }
}
