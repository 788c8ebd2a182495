import { describe, expect, it } from "vitest";
import { errorLine } from "../../../infra/cli/commands/deploy";

/** What the Automation API's CommandError says after a failed `up`: the engine's whole output, summary last. */
const FAILED_UP = `code: 255
 stdout: Updating (staging):
    ~  pulumi-nodejs:dynamic:Resource coolify-app updating (12s) [diff: ~image]
Diagnostics:
  pulumi-nodejs:dynamic:Resource (coolify-app):
    error: Coolify deployment dpl0 finished "failed": the new container never became healthy

  pulumi:pulumi:Stack (slipway-staging):
    error: update failed

Resources:
    ~ 1 updated
    12 unchanged

Duration: 14s

 stderr:
`;

describe("errorLine: the reason a notice gives for a failed update", () => {
  it("is the first resource diagnostic, not the summary the output ends with", () => {
    expect(errorLine(new Error(FAILED_UP))).toBe('Coolify deployment dpl0 finished "failed": the new container never became healthy');
  });

  it("falls back to the engine's own error, then to the first line", () => {
    expect(errorLine(new Error("code: 255\n stderr: error: update failed\n"))).toBe("update failed");
    expect(errorLine("the pulumi CLI exited before starting")).toBe("the pulumi CLI exited before starting");
  });
});
