/**
 * infra/boot/codecache.js: a bundle required through it runs as under a plain `require`, leaves V8's code cache
 * beside it for the next start, still maps its stack traces to the TypeScript line and column, and survives a
 * cache it cannot use.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROOT } from "../stacks/fixtures";

const { ensureBundle } = require("../../../infra/boot/bundle.js") as typeof import("../../../infra/boot/bundle.js");
const { cacheFileOf } = require("../../../infra/boot/codecache.js") as typeof import("../../../infra/boot/codecache.js");

vi.setConfig({ testTimeout: 120_000 });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function bundle(): { root: string; file: string } {
  const root = mkdtempSync(path.join(tmpdir(), "slipway-codecache-"));
  dirs.push(root);
  const files: Record<string, string> = {
    "package.json": "{}",
    "infra/index.ts": 'import { fail } from "../stacks/fail";\nexport const answer: number = 42;\nexport const dir: string = __dirname;\nexport const run = (): void => fail();\n',
    "stacks/fail.ts": "// line 1\n\nexport function fail(): never {\n  throw new Error(\"boom\");\n}\n",
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return { root, file: ensureBundle({ root, entry: "infra/index.ts", name: "program" }).file };
}

/** Requires the bundle through the code cache in a fresh node (source-map-support as Pulumi's runner installs it). */
function load(root: string, file: string): { answer: number; dir: string; stack: string; cached: boolean } {
  const sms = require.resolve("source-map-support/register", { paths: [ROOT] });
  const script = `
    require(${JSON.stringify(sms)});
    const { requireWithCodeCache } = require(${JSON.stringify(path.join(ROOT, "infra/boot/codecache.js"))});
    const m = requireWithCodeCache(${JSON.stringify(file)}, (f) => require(f));
    let stack = "";
    try { m.run(); } catch (e) { stack = e.stack; }
    console.log(JSON.stringify({ answer: m.answer, dir: m.dir, stack, cached: require.cache[${JSON.stringify(file)}] !== undefined }));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" })) as { answer: number; dir: string; stack: string; cached: boolean };
}

describe("infra/boot/codecache.js", () => {
  it("runs the bundle as require does, writes the cache, and traces keep the .ts line and column", () => {
    const { root, file } = bundle();
    const cache = cacheFileOf(file);
    expect(existsSync(cache)).toBe(false);
    const first = load(root, file);
    expect(first).toMatchObject({ answer: 42, dir: path.dirname(file), cached: true });
    expect(first.stack).toContain(`${path.join(root, "stacks/fail.ts")}:4:9`);
    expect(existsSync(cache)).toBe(true);
    const written = readFileSync(cache);

    // The second start compiles from the cache (and so leaves it as it was) with the same behaviour.
    const second = load(root, file);
    expect(second).toEqual(first);
    expect(readFileSync(cache).equals(written)).toBe(true);
  });

  it("falls back to compiling when the cache is unusable, and replaces it", () => {
    const { root, file } = bundle();
    const cache = cacheFileOf(file);
    writeFileSync(cache, "not a V8 code cache");
    const r = load(root, file);
    expect(r.answer).toBe(42);
    expect(r.stack).toContain(`${path.join(root, "stacks/fail.ts")}:4:9`);
    expect(readFileSync(cache, "utf8")).not.toBe("not a V8 code cache");
  });
});

describe("infra/boot/codecache.js cacheCompiledModules", () => {
  /** A package of plain modules (one a CLI with a hashbang, one that throws) required through the cache in a fresh node. */
  function run(root: string): { value: string; stack: string; dirname: string; resolved: string; flushed: number; rejected: boolean[] } {
    const script = `
      const path = require("path"), fs = require("fs"), vm = require("vm");
      const dir = path.join(process.cwd(), "cache");
      const rejected = [];
      const Script = vm.Script;
      vm.Script = function (code, options) { const s = new Script(code, options); if (options && options.cachedData) rejected.push(s.cachedDataRejected); return s; };
      const { cacheCompiledModules } = require(${JSON.stringify(path.join(ROOT, "infra/boot/codecache.js"))});
      const c = cacheCompiledModules({ dir, include: (f) => f.includes(path.sep + "node_modules" + path.sep) });
      const pkg = require("pkg");
      let stack = "";
      try { pkg.fail(); } catch (e) { stack = e.stack; }
      c.flush();
      console.log(JSON.stringify({ value: pkg.value, stack, dirname: pkg.dirname, resolved: pkg.resolved, flushed: fs.readdirSync(dir).length, rejected }));`;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" }));
  }

  it("loads modules as node does, from V8's cache on the next start, with the same lines in traces", () => {
    const root = mkdtempSync(path.join(tmpdir(), "slipway-modcache-"));
    dirs.push(root);
    const pkg = path.join(root, "node_modules/pkg");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, "package.json"), '{ "name": "pkg", "main": "index.js" }');
    writeFileSync(path.join(pkg, "cli.js"), '#!/usr/bin/env node\nexports.greet = () => "hello";\n');
    writeFileSync(
      path.join(pkg, "index.js"),
      'const { greet } = require("./cli");\nexports.value = greet();\nexports.dirname = __dirname;\nexports.resolved = require.resolve("./cli");\n\nexports.fail = () => {\n  throw new Error("boom");\n};\n',
    );
    const first = run(root);
    expect(first).toMatchObject({ value: "hello", dirname: pkg, resolved: path.join(pkg, "cli.js"), flushed: 2, rejected: [] });
    expect(first.stack).toContain(`${path.join(pkg, "index.js")}:7:9`);
    const second = run(root);
    // Both modules came from their caches, and V8 took them.
    expect(second.rejected).toEqual([false, false]);
    expect({ ...second, rejected: [] }).toEqual({ ...first, rejected: [] });
  });
});
