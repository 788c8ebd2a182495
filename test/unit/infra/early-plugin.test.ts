/**
 * The dynamic-provider plugin started early (infra/boot/early-plugin.js, program-preload.js, plugin-preload.js):
 * the program's preload sends the engine its Invoke while the program's thread is still busy loading, only from
 * the runner's process, and the plugin loads its providers once the engine has configured it — not before, when
 * the engine is waiting for its handshake.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROOT } from "../stacks/fixtures";

const { monitorAddressOf, WARM_UP_TOKEN } = require("../../../infra/boot/early-plugin.js") as typeof import("../../../infra/boot/early-plugin.js");
// The SDK's generated service definitions: the test's server speaks the engine's real ResourceMonitor and
// ResourceProvider protocols.
const resourceRpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const providerPb = require("@pulumi/pulumi/proto/provider_pb");

vi.setConfig({ testTimeout: 120_000 });
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-early-plugin-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs node with `args` (bounded) and returns its stdout. */
function runNode(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`node ${args.join(" ")} exited ${code}: ${err}`));
    });
  });
}

/** A loopback ResourceMonitor that records every Invoke's token and when it arrived. */
async function fakeMonitor(): Promise<{ address: string; invokes: { tok: string; at: number }[] }> {
  const invokes: { tok: string; at: number }[] = [];
  const server = new grpc.Server();
  server.addService(resourceRpc.ResourceMonitorService, {
    invoke(call: { request: { getTok(): string } }, callback: (e: null, r: unknown) => void) {
      invokes.push({ tok: call.request.getTok(), at: Date.now() });
      callback(null, new providerPb.InvokeResponse());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  cleanups.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  return { address: `127.0.0.1:${port}`, invokes };
}

/** A stand-in for @pulumi/pulumi's runner at the path the language host starts (…/@pulumi/pulumi/cmd/run). */
function fakeRunner(dir: string, busyMs: number): string {
  const file = path.join(dir, "node_modules/@pulumi/pulumi/cmd/run/index.js");
  mkdirSync(path.dirname(file), { recursive: true });
  // Synchronous, like the runner loading the SDK: nothing leaves this thread until it is done.
  writeFileSync(file, `const from = Date.now();\nwhile (Date.now() - from < ${busyMs}) {}\nconsole.log(JSON.stringify({ from, to: Date.now() }));\n`);
  return path.dirname(file);
}

describe("monitorAddressOf", () => {
  const run = "/p/node_modules/@pulumi/pulumi/cmd/run";
  it("reads the runner's --monitor, in both spellings, and nothing after the program's path", () => {
    expect(monitorAddressOf(["node", run, "--monitor", "127.0.0.1:5", "--engine", "x", "main.js"])).toBe("127.0.0.1:5");
    expect(monitorAddressOf(["node", `${run}/index.js`, "--monitor=127.0.0.1:6", "main.js"])).toBe("127.0.0.1:6");
    expect(monitorAddressOf(["node", run, "--engine", "x", "main.js", "--monitor", "127.0.0.1:7"])).toBeUndefined();
  });
  it("is undefined in any other process", () => {
    expect(monitorAddressOf(["node", "/p/other.js", "--monitor", "127.0.0.1:5"])).toBeUndefined();
    expect(monitorAddressOf(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider", "--monitor", "127.0.0.1:5"])).toBeUndefined();
    expect(monitorAddressOf([])).toBeUndefined();
  });
});

describe("infra/boot/program-preload.js", () => {
  const preload = path.join(ROOT, "infra/boot/program-preload.js");

  it("sends the engine the Invoke while the program's thread is still busy loading", async () => {
    const monitor = await fakeMonitor();
    const runner = fakeRunner(tempDir(), 3000);
    const out = await runNode(["--require", preload, runner, "--monitor", monitor.address, "--stack", "dev", "main.js"], ROOT);
    const busy = JSON.parse(out) as { from: number; to: number };
    expect(monitor.invokes.map((i) => i.tok)).toEqual([WARM_UP_TOKEN]);
    const [invoke] = monitor.invokes;
    expect(invoke?.at).toBeGreaterThanOrEqual(busy.from);
    expect(invoke?.at).toBeLessThan(busy.to);
  });

  it("sends nothing from a process that is not the runner, and never keeps a process alive", async () => {
    const monitor = await fakeMonitor();
    const dir = tempDir();
    writeFileSync(path.join(dir, "other.js"), "setTimeout(() => console.log('done'), 500);\n");
    expect(await runNode(["--require", preload, path.join(dir, "other.js"), "--monitor", monitor.address], ROOT)).toBe("done\n");
    expect(monitor.invokes).toEqual([]);
    // A runner whose monitor never answers: the unref'd worker does not hold the process.
    const silent = fakeRunner(tempDir(), 10);
    const started = Date.now();
    await runNode(["--require", preload, silent, "--monitor", "127.0.0.1:9", "main.js"], ROOT);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe("infra/boot/plugin-preload.js", () => {
  it("loads the providers' bundle only after the engine's Configure, and keeps the host's own state", async () => {
    // A host shaped like @pulumi/pulumi's (cmd/dynamic-provider: one service object, configure keeps the
    // config on `this`), driven the way the engine drives it.
    const host = `
      const grpc = require("@grpc/grpc-js");
      const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
      const pb = require("@pulumi/pulumi/proto/provider_pb");
      const plugin = require("@pulumi/pulumi/proto/plugin_pb");
      const empty = require("google-protobuf/google/protobuf/empty_pb");
      const loaded = () => Object.keys(require.cache).some((k) => k.includes("/.cache/slipway/providers-"));
      class Service {
        getPluginInfo(call, cb) { const r = new plugin.PluginInfo(); r.setVersion(String(this.config ?? "unconfigured")); cb(null, r); }
        configure(call, cb) { this.config = "configured"; cb(null, new pb.ConfigureResponse()); }
      }
      const server = new grpc.Server();
      server.addService(rpc.ResourceProviderService, new Service());
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), async (e, port) => {
        const client = new rpc.ResourceProviderClient("127.0.0.1:" + port, grpc.credentials.createInsecure());
        const call = (m, req) => new Promise((res, rej) => client[m](req, (err, r) => (err ? rej(err) : res(r))));
        const before = (await call("getPluginInfo", new empty.Empty())).getVersion();
        const beforeLoaded = loaded();
        await new Promise((r) => setTimeout(r, 300));
        const idleLoaded = loaded();
        await call("configure", new pb.ConfigureRequest());
        await new Promise((r) => setTimeout(r, 50));
        const after = (await call("getPluginInfo", new empty.Empty())).getVersion();
        console.log(JSON.stringify({ before, beforeLoaded, idleLoaded, afterLoaded: loaded(), after }));
        client.close();
        server.forceShutdown();
      });`;
    const out = await runNode(["--require", path.join(ROOT, "infra/boot/plugin-preload.js"), "-e", host], path.join(ROOT, "infra"));
    expect(JSON.parse(out)).toEqual({ before: "unconfigured", beforeLoaded: false, idleLoaded: false, afterLoaded: true, after: "configured" });
  });
});

