/**
 * `npm run emulators`: the Coolify, Fly Machines and GitHub emulators on loopback, for the sandbox and for
 * poking at by hand. Ports come from COOLIFY_PORT / FLY_PORT / GITHUB_PORT; COOLIFY_TOKEN, FLY_API_TOKEN and
 * GITHUB_TOKEN, when set, become the only accepted bearer tokens.
 */
import type { Emulator } from "./common/types";
import { startCoolifyEmulator } from "./coolify/index";
import { startFlyEmulator } from "./fly/index";
import { startGithubEmulator } from "./github/index";

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`${name} must be a port number, got ${raw}`);
  return n;
}

function token(name: string): string | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === "" ? undefined : raw;
}

async function main(): Promise<void> {
  const running: Emulator[] = [];
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping emulators`);
    // Bounded: a stuck close must not keep the process alive forever.
    const timeout = setTimeout(() => process.exit(1), 5_000);
    timeout.unref();
    await Promise.allSettled(running.map((e) => e.close()));
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  const starts: [string, () => Promise<Emulator>][] = [
    ["coolify", () => startCoolifyEmulator({ port: port("COOLIFY_PORT", 8000), token: token("COOLIFY_TOKEN"), strictResponses: true })],
    ["fly", () => startFlyEmulator({ port: port("FLY_PORT", 4280), token: token("FLY_API_TOKEN"), strictResponses: true })],
    ["github", () => startGithubEmulator({ port: port("GITHUB_PORT", 8081), token: token("GITHUB_TOKEN"), strictResponses: true })],
  ];
  for (const [name, start] of starts) {
    try {
      const emulator = await start();
      running.push(emulator);
      // Fly's spec paths carry /v1 themselves, so its base URL is the origin; clients configure .../v1.
      const shown = name === "fly" && !emulator.url.endsWith("/v1") ? `${emulator.url}/v1` : emulator.url;
      console.log(`${name} emulator listening at ${shown}`);
    } catch (err) {
      console.error(`${name} emulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
      await Promise.allSettled(running.map((e) => e.close()));
      process.exit(1);
    }
  }
}

void main();
