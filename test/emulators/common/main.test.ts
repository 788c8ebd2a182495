import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// `npm run emulators` as a user runs it: a separate process that prints one URL line per emulator once it
// listens, serves all three APIs, and exits cleanly on SIGTERM. Ports 0 so parallel runs never collide.
const ROOT = resolve(__dirname, "../../..");
let child: ChildProcess | undefined;

afterAll(() => {
  // Only our own child, by its pid, and only if the test did not already stop it.
  if (child && child.exitCode === null) child.kill("SIGKILL");
});

function waitFor<T>(what: string, ms: number, check: () => T | undefined): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const deadline = Date.now() + ms;
    const tick = (): void => {
      const value = check();
      if (value !== undefined) return resolvePromise(value);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

describe("npm run emulators", () => {
  it("prints one URL per emulator, serves each API, and stops on SIGTERM", async () => {
    let output = "";
    child = spawn(process.execPath, ["--import", "tsx", "test/emulators/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, COOLIFY_PORT: "0", FLY_PORT: "0", GITHUB_PORT: "0", COOLIFY_TOKEN: "", FLY_API_TOKEN: "", GITHUB_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const urls = await waitFor("three listening lines", 50_000, () => {
      const found = [...output.matchAll(/^(coolify|fly|github) emulator listening at (\S+)$/gm)].map((m) => [m[1], m[2]] as const);
      return found.length === 3 ? Object.fromEntries(found) : undefined;
    });
    expect(urls.coolify).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    expect(urls.fly).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(urls.github).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);

    const auth = { authorization: "Bearer t" };
    expect((await fetch(`${String(urls.coolify)}/projects`, { headers: auth, signal: AbortSignal.timeout(5_000) })).status).toBe(200);
    expect((await fetch(`${String(urls.coolify)}/projects`, { signal: AbortSignal.timeout(5_000) })).status).toBe(401);
    expect((await fetch(`${String(urls.fly)}/apps/nope`, { headers: auth, signal: AbortSignal.timeout(5_000) })).status).toBe(404);
    expect((await fetch(`${String(urls.github)}/user`, { headers: auth, signal: AbortSignal.timeout(5_000) })).status).toBe(200);

    const exited = new Promise<number | null>((r) => child?.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise<"stuck">((r) => setTimeout(() => r("stuck"), 10_000))]);
    expect(code).toBe(0);
    expect(output).toContain("SIGTERM: stopping emulators");
  });
});
