/**
 * One rule source, two refusals: every region, guest size and image reference slipway's config check refuses,
 * the Fly emulator refuses too, with Fly's status (422 for a region, 400 for a config), and every edge that is
 * valid on Fly passes both. The rules are components/fly/limits.ts, each citing the Fly source it follows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { at, clone, stackInput } from "../unit/stacks/fixtures";
import { startFlyEmulator, type FlyEmulator } from "./fly/index";
import { TOKEN, call, createApp } from "./fly/testkit";

let emu: FlyEmulator;
beforeAll(async () => {
  emu = await startFlyEmulator({ token: TOKEN });
  await createApp(emu, "limits");
});
afterAll(async () => {
  expect(emu.responseViolations).toEqual([]);
  await emu.close();
});

interface Case {
  name: string;
  region?: string;
  guest?: { cpuKind: string; cpus: number; memoryMb: number };
  image?: string;
}

/** The config check's lines for the case, applied to the production stack file ([] when it is accepted). */
function configProblems(c: Case): readonly string[] {
  const input = clone(stackInput("production"));
  const fly = at(input.raw, "slipway:scaling").fly;
  if (c.region) fly.regions = [c.region];
  if (c.guest) fly.guest = c.guest;
  if (c.image) at(input.raw, "slipway:database").image = c.image;
  try {
    parseStackConfig(input.raw, input.secretKeys);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

/** What the emulated Machines API answers a create with the same values. */
async function create(c: Case): Promise<{ status: number; error?: string; id?: string }> {
  const g = c.guest ?? { cpuKind: "shared", cpus: 1, memoryMb: 256 };
  const res = await call(emu, "POST", "/v1/apps/limits/machines", {
    region: c.region ?? "ewr",
    config: { image: c.image ?? "registry.fly.io/web:v1", guest: { cpu_kind: g.cpuKind, cpus: g.cpus, memory_mb: g.memoryMb } },
  });
  return { status: res.status, error: res.body?.error, id: res.body?.id };
}

const refused: Array<Case & { status: number; line: RegExp }> = [
  { name: "a region typo", region: "ewrr", status: 422, line: /^slipway:scaling\.fly\.regions\[0\]: expected a Fly region \(ams, arn, .*\), got "ewrr"$/ },
  { name: "a retired region", region: "bos", status: 422, line: /Fly retired bos into ewr\), got "bos"$/ },
  { name: "100 MB on a shared CPU", guest: { cpuKind: "shared", cpus: 1, memoryMb: 100 }, status: 400, line: /guest\.memoryMb: expected a multiple of 256 MB for shared CPUs, got 100$/ },
  { name: "64 GB on a shared CPU", guest: { cpuKind: "shared", cpus: 1, memoryMb: 65536 }, status: 400, line: /guest\.memoryMb: expected 256–2048 MB for 1 shared CPU, got 65536$/ },
  { name: "3 shared CPUs", guest: { cpuKind: "shared", cpus: 3, memoryMb: 768 }, status: 400, line: /guest\.cpus: expected one of 1, 2, 4, 6, 8 for shared CPUs, got 3$/ },
  { name: "16 shared CPUs", guest: { cpuKind: "shared", cpus: 16, memoryMb: 4096 }, status: 400, line: /guest\.cpus: expected one of 1, 2, 4, 6, 8 for shared CPUs, got 16$/ },
  { name: "performance below 2 GB per CPU", guest: { cpuKind: "performance", cpus: 2, memoryMb: 2048 }, status: 400, line: /guest\.memoryMb: expected 4096–16384 MB for 2 performance CPUs, got 2048$/ },
  { name: "performance off its 1 GB steps", guest: { cpuKind: "performance", cpus: 1, memoryMb: 2304 }, status: 400, line: /guest\.memoryMb: expected a multiple of 1024 MB for performance CPUs, got 2304$/ },
  { name: "a CPU kind Fly does not have", guest: { cpuKind: "quantum", cpus: 1, memoryMb: 256 }, status: 400, line: /guest\.cpuKind: expected one of "shared", "performance", got "quantum"$/ },
  { name: "a malformed image reference", image: "NOT A::valid image@@", status: 400, line: /database\.image: .*\(invalid reference format: repository name must be lowercase\), got "NOT A::valid image@@"$/ },
  { name: "an image with a bad tag", image: "pgvector/pgvector:pg16:x", status: 400, line: /database\.image: .*\(invalid reference format\), got "pgvector\/pgvector:pg16:x"$/ },
];

const accepted: Case[] = [
  { name: "every region of the docs' table", region: "jnb" },
  { name: "8 shared CPUs at their 16 GB maximum", guest: { cpuKind: "shared", cpus: 8, memoryMb: 16384 } },
  { name: "6 shared CPUs (flyctl's cpusPerKind)", guest: { cpuKind: "shared", cpus: 6, memoryMb: 1536 } },
  { name: "performance-1x at its 2 GB minimum", guest: { cpuKind: "performance", cpus: 1, memoryMb: 2048 } },
  { name: "32 performance CPUs", guest: { cpuKind: "performance", cpus: 32, memoryMb: 65536 } },
  { name: "a registry with a port and a tag", image: "registry.example.com:5000/db/postgres:16" },
];

describe("Fly limits: the config check and the emulator refuse the same mistakes", () => {
  it.each(refused)("$name: refused by both, the emulator with HTTP $status", async (c) => {
    const lines = configProblems(c);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(c.line);
    const answer = await create(c);
    expect(answer.status).toBe(c.status);
    expect(answer.error).toBeTruthy();
  });

  it.each(accepted)("$name: accepted by both", async (c) => {
    // The production stack mounts volumes; one region is what it allows.
    expect(configProblems(c)).toEqual([]);
    const answer = await create(c);
    expect(answer).toMatchObject({ status: 200, id: expect.any(String) });
  });
});
