import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fallbackRoots, onPath, userPulumi } from "../../../infra/cli/pulumi";

const ROOT = resolve(__dirname, "../../..");

/** A fake `pulumi` that answers `pulumi version` like the real one. */
function fakePulumi(dir: string, version = "v3.274.0"): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "pulumi");
  writeFileSync(file, `#!/bin/sh\necho ${version}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe("the CLI runs the user's own pulumi", () => {
  it("product code never imports the test rig (scripts/ or test/)", () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const p = join(dir, entry);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|js)$/.test(p) && /from\s+["'](\.\.\/)+(scripts|test)\/|require\(["'](\.\.\/)+(scripts|test)\//.test(readFileSync(p, "utf8"))) offenders.push(p.slice(ROOT.length + 1));
      }
    };
    for (const d of ["infra", "stacks", "components"]) walk(join(ROOT, d));
    expect(offenders).toEqual([]);
  });

  it("finds pulumi on PATH first", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "slipway-pulumi-"));
    const bin = fakePulumi(join(tmp, "tools", "bin"));
    expect(onPath(`/nonexistent${":"}${join(tmp, "tools", "bin")}`)).toBe(bin);
    const cmd = await userPulumi({ PATH: join(tmp, "tools", "bin"), HOME: join(tmp, "home") });
    expect(cmd.command).toBe(bin);
    expect(cmd.version?.toString()).toBe("3.274.0");
  });

  it("then where the installer puts it (~/.pulumi/bin), when that is not on PATH yet", async () => {
    const home = mkdtempSync(join(tmpdir(), "slipway-home-"));
    const bin = fakePulumi(join(home, ".pulumi", "bin"));
    expect(fallbackRoots(home)[0]).toBe(join(home, ".pulumi"));
    const cmd = await userPulumi({ PATH: "/nonexistent", HOME: home });
    expect(cmd.command).toBe(bin);
  });

  it("no pulumi at all: one message saying how to install it", async () => {
    const home = mkdtempSync(join(tmpdir(), "slipway-home-"));
    await expect(userPulumi({ PATH: "/nonexistent", HOME: home })).rejects.toThrow(
      /^no pulumi CLI found \(looked on PATH and in .*\.pulumi\/bin, .*\.pulumi\/versions\/3\.270\.0\/bin\)\.\nInstall it: curl -fsSL https:\/\/get\.pulumi\.com \| sh/,
    );
  });
});
