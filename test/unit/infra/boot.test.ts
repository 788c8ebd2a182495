/**
 * The program's start-up path (infra/main.js, infra/boot/): the bundle is rebuilt whenever a source changes and
 * maps stack traces to TypeScript, and the deferred SDK tooling still works when something does use it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROOT } from "../stacks/fixtures";

const { ensureBundle } = require("../../../infra/boot/bundle.js") as typeof import("../../../infra/boot/bundle.js");
const { filterSourceMap } = require("../../../infra/boot/sourcemap.js") as typeof import("../../../infra/boot/sourcemap.js");
const { SourceMapConsumer } = require("source-map") as typeof import("source-map");

// Every test here starts fresh node processes (some load typescript); on a shared machine that takes a while.
vi.setConfig({ testTimeout: 120_000 });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A throwaway project with the source layout the bundle cache hashes. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "slipway-boot-"));
  dirs.push(root);
  for (const [rel, text] of Object.entries({ "package.json": "{}", ...files })) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

/** Runs `script` in a fresh node (no TypeScript loader) and returns what it printed. */
function node(script: string, cwd = ROOT, args: string[] = []): string {
  return execFileSync(process.execPath, [...args, "-e", script], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const ENTRY = {
  "infra/index.ts": 'import { greet } from "../stacks/greet";\nexport const text: string = greet("you");\n',
  "stacks/greet.ts": "export function greet(who: string): string {\n  return `hello ${who}`;\n}\n",
};

describe("infra/boot/bundle.js", () => {
  it("builds once, reuses the bundle while nothing changed, and rebuilds on any source change", () => {
    const root = project(ENTRY);
    const opts = { root, entry: "infra/index.ts", name: "program" };
    const first = ensureBundle(opts);
    expect(first.built).toBe(true);
    expect(ensureBundle(opts)).toEqual({ file: first.file, built: false });
    expect(node(`console.log(require(${JSON.stringify(first.file)}).text)`, root).trim()).toBe("hello you");

    writeFileSync(path.join(root, "stacks/greet.ts"), "export function greet(who: string): string {\n  return `hi ${who}`;\n}\n");
    const second = ensureBundle(opts);
    expect(second.built).toBe(true);
    expect(second.file).not.toBe(first.file);
    expect(node(`console.log(require(${JSON.stringify(second.file)}).text)`, root).trim()).toBe("hi you");

    // A file nothing imports yet still changes the key: a new import of it must never meet a stale bundle.
    mkdirSync(path.join(root, "components"));
    writeFileSync(path.join(root, "components/new.ts"), "export const x = 1;\n");
    expect(ensureBundle(opts).built).toBe(true);
    expect(ensureBundle(opts).built).toBe(false);
    writeFileSync(path.join(root, "tsconfig.json"), '{ "compilerOptions": {} }');
    expect(ensureBundle(opts).built).toBe(true);
  });

  it("maps a stack trace from the bundle to the TypeScript file and line", () => {
    const root = project({
      "infra/index.ts": 'import { fail } from "../stacks/fail";\nexport const run = (): void => fail();\n',
      "stacks/fail.ts": "// line 1\n\nexport function fail(): never {\n  throw new Error(\"boom\");\n}\n",
    });
    const { file } = ensureBundle({ root, entry: "infra/index.ts", name: "program" });
    const sms = require.resolve("source-map-support/register", { paths: [ROOT] });
    const stack = node(`require(${JSON.stringify(sms)}); try { require(${JSON.stringify(file)}).run() } catch (e) { console.log(e.stack) }`, root);
    expect(stack).toContain(`${path.join(root, "stacks/fail.ts")}:4:`);
  });

  it("names the file and line of a syntax error, and refuses an import the cache key would not cover", () => {
    const broken = project({ "infra/index.ts": "export const x = ;\n" });
    expect(() => ensureBundle({ root: broken, entry: "infra/index.ts", name: "program" })).toThrow(/cannot bundle infra\/index\.ts:\n {2}infra\/index\.ts:1:17: /);
    const outside = project({ "infra/index.ts": 'export { y } from "../lib/y";\n', "lib/y.ts": "export const y = 1;\n" });
    expect(() => ensureBundle({ root: outside, entry: "infra/index.ts", name: "program" })).toThrow("infra/index.ts imports lib/y.ts, outside infra/, stacks/, components/");
  });

  it("serializes a dynamic provider's loader byte-identically to a tsx-run program, so existing state sees no diff", () => {
    const serialize = (load: string, args: string[]): string =>
      node(
        `const providerFor = ${load}.providerFor;
         const sc = require("@pulumi/pulumi/runtime/closure/serializeClosure");
         const p = providerFor("coolify:application");
         sc.serializeFunction(() => p, { allowSecrets: true }).then((sf) => process.stdout.write(sf.text));`,
        ROOT,
        args,
      );
    const viaTsx = serialize('require("./components/dynamic.ts")', ["--import=tsx"]);
    // Where the real cache is (node_modules/.cache/slipway): the bundle leaves @pulumi/pulumi external, so it
    // must sit where node resolves the project's node_modules, as it does for `pulumi up`.
    mkdirSync(path.join(ROOT, "node_modules/.cache"), { recursive: true });
    const cacheDir = mkdtempSync(path.join(ROOT, "node_modules/.cache/slipway-boot-test-"));
    dirs.push(cacheDir);
    const bundled = `require(require("./infra/boot/bundle.js").ensureBundle({ root: process.cwd(), entry: "components/dynamic.ts", name: "dynamic", cacheDir: ${JSON.stringify(cacheDir)} }).file)`;
    expect(viaTsx).toContain('key: "coolify:application"');
    expect(serialize(bundled, [])).toBe(viaTsx);
  });
});

describe("infra/boot/sourcemap.js", () => {
  it("keeps every mapping of the kept sources and maps nothing of the dropped ones", () => {
    const root = project({
      "infra/index.ts": 'import { parse } from "yaml";\nexport const doc = (s: string): unknown => parse(s);\n',
    });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
    const cacheDir = mkdtempSync(path.join(tmpdir(), "slipway-boot-cache-"));
    dirs.push(cacheDir);
    const { file } = ensureBundle({ root, entry: "infra/index.ts", name: "program", cacheDir });
    const filtered = readFileSync(`${file}.map`, "utf8");
    expect((JSON.parse(filtered) as { sources: string[] }).sources).toEqual([path.relative(cacheDir, path.join(root, "infra/index.ts"))]);

    // The full map of the same bundle, from esbuild directly, is the reference.
    const esbuild = require("esbuild") as typeof import("esbuild");
    const full = esbuild.buildSync({ entryPoints: [path.join(root, "infra/index.ts")], absWorkingDir: root, bundle: true, platform: "node", format: "cjs", external: ["@pulumi/*"], sourcemap: "external", sourcesContent: false, minifyWhitespace: true, keepNames: true, target: `node${process.versions.node}`, write: false, outfile: file });
    const fullMap = full.outputFiles.find((f) => f.path.endsWith(".map"))?.text ?? "";
    expect(JSON.parse(filterSourceMap(fullMap, () => true)).mappings).toBe(JSON.parse(fullMap).mappings);
    const a = new SourceMapConsumer(JSON.parse(fullMap));
    const b = new SourceMapConsumer(JSON.parse(filtered));
    let own = 0;
    let other = 0;
    a.eachMapping((m) => {
      const p = b.originalPositionFor({ line: m.generatedLine, column: m.generatedColumn });
      if (m.source?.endsWith("infra/index.ts")) {
        own++;
        expect([p.line, p.column]).toEqual([m.originalLine, m.originalColumn]);
      } else {
        other++;
        expect(p.source).toBeNull();
      }
    });
    expect(own).toBeGreaterThan(3);
    expect(other).toBeGreaterThan(100);
  });
});

describe("infra/boot/defer.js", () => {
  it("keeps typescript and arborist out of @pulumi/pulumi's index, and loads them when they are used", () => {
    const cwd = project({ "package.json": '{ "name": "empty", "dependencies": {} }' });
    mkdirSync(path.join(cwd, "node_modules"));
    const sdk = path.join(ROOT, "node_modules/@pulumi/pulumi");
    const out = node(
      `const { deferSdkTooling } = require(${JSON.stringify(path.join(ROOT, "infra/boot/defer.js"))});
       const record = deferSdkTooling();
       const loaded = (s) => Object.keys(require.cache).some((k) => k.includes(s));
       const pulumi = require(${JSON.stringify(sdk)});
       const before = { ts: loaded("/node_modules/typescript/"), arborist: loaded("/@npmcli/arborist/"), semver: loaded("/node_modules/semver/") };
       (async () => {
         const sf = await pulumi.runtime.serializeFunction(() => 40 + 2);
         const paths = await pulumi.runtime.computeCodePaths();
         const after = { ts: loaded("/node_modules/typescript/"), arborist: loaded("/@npmcli/arborist/"), semver: loaded("/node_modules/semver/") };
         const automation = { before: loaded("/@pulumi/pulumi/automation/"), works: typeof pulumi.automation.LocalWorkspace.create === "function" };
         console.log(JSON.stringify({ before, after, automation, text: sf.text.includes("40 + 2"), paths: paths instanceof Map, record }));
       })().catch((e) => { console.error(e); process.exit(1); });`,
      cwd,
    );
    const r = JSON.parse(out) as { before: object; after: object; automation: object; text: boolean; paths: boolean; record: { deferred: string[]; loaded: string[] } };
    expect(r.before).toEqual({ ts: false, arborist: false, semver: false });
    expect(r.automation).toEqual({ before: false, works: true });
    // serializeFunction went through rewriteSuper, which compares typescript's version with semver.
    expect(r.after).toEqual({ ts: true, arborist: true, semver: true });
    expect(r.text).toBe(true);
    expect(r.paths).toBe(true);
    expect(r.record.deferred).toEqual(expect.arrayContaining(["../../typescript-shim", "@npmcli/arborist", "normalize-package-data", "./automation", "./provider", "semver"]));
    expect(r.record.loaded).toEqual(expect.arrayContaining(["../../typescript-shim", "@npmcli/arborist"]));
  });

  it("leaves a program's own require of typescript alone", () => {
    const out = node(
      `require("./infra/boot/defer.js").deferSdkTooling();
       const ts = require("typescript");
       console.log(typeof ts.createSourceFile, require.cache[require.resolve("typescript")] !== undefined);`,
    );
    expect(out.trim()).toBe("function true");
  });
});

/** A throwaway project of provider modules, with slipway's node_modules (tsx, esbuild) beside it. */
function providerProject(files: Record<string, string>): string {
  const root = project(files);
  symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
  return root;
}

/**
 * How every providers.js script below starts: the hook installed (`record`), and `load(rel)`, a `tsx.require`
 * of a project file the way a state's loader makes it. tsx loads only when `load` is first called.
 */
const PROVIDERS_PRELUDE = `
  const { serveProvidersFromBundle } = require(${JSON.stringify(path.join(ROOT, "infra/boot/providers.js"))});
  const record = serveProvidersFromBundle(process.cwd());
  const load = (rel) => require("tsx/cjs/api").require(require("path").join(process.cwd(), rel), require("path").join(process.cwd(), "package.json"));`;

describe("infra/boot/providers.js", () => {
  it("serves tsx.require of a provider module from one bundle of all of them, current with the sources", () => {
    const root = providerProject({
      "components/a.provider.ts": 'import { label } from "./shared";\nexport const aProvider = { name: label("a") };\n',
      "components/b.provider.ts": 'import { label } from "./shared";\nexport const bProvider = { name: label("b") };\n',
      "components/shared.ts": "export const label = (x: string): string => `provider ${x}`;\n",
      "components/registry.ts": 'export const PROVIDERS = { a: { module: "components/a.provider.ts", export: "aProvider" } };\n',
    });
    const script = `${PROVIDERS_PRELUDE}
      const entry = load("components/registry.ts").PROVIDERS.a;
      const a = load(entry.module)[entry.export];
      const b = load("components/b.provider.ts").bProvider;
      console.log(JSON.stringify({ a: a.name, b: b.name, served: record.served }));`;
    expect(JSON.parse(node(script, root))).toEqual({ a: "provider a", b: "provider b", served: ["components/a.provider.ts", "components/b.provider.ts"] });
    writeFileSync(path.join(root, "components/shared.ts"), "export const label = (x: string): string => `changed ${x}`;\n");
    expect(JSON.parse(node(script, root))).toMatchObject({ a: "changed a", b: "changed b" });
  });

  it("serves the registry the loader reads first from the bundle too, not through tsx's transform", () => {
    const root = providerProject({
      "components/provider/registry.ts": 'export const PROVIDERS = { a: { module: "components/a.provider.ts", export: "aProvider" } };\n',
      "components/a.provider.ts": 'export const aProvider = { name: "provider a" };\n',
    });
    const script = `${PROVIDERS_PRELUDE}
      const entry = load("components/provider/registry.ts").PROVIDERS.a;
      const a = load(entry.module)[entry.export];
      console.log(JSON.stringify({ a: a.name, served: record.served }));`;
    expect(JSON.parse(node(script, root))).toEqual({ a: "provider a", served: ["components/provider/registry.ts", "components/a.provider.ts"] });
  });

  it("warm runs every served module's top level before the first require, which it then serves", () => {
    const root = providerProject({
      "components/a.provider.ts": 'export const aProvider = { name: "provider a" };\n(globalThis as any).ranA = true;\n',
      "components/b.provider.ts": '(globalThis as any).ranB = true;\nexport const bProvider = { name: "provider b" };\n',
    });
    const script = `${PROVIDERS_PRELUDE}
      const cached = () => Object.keys(require.cache).filter((k) => k.includes("/.cache/slipway/providers-") || k.includes("/tsx/dist/cjs/api/")).length;
      const before = { cached: cached(), ran: [globalThis.ranA, globalThis.ranB] };
      record.warm();
      const warmed = { cached: cached() >= 2, ran: [globalThis.ranA, globalThis.ranB] };
      const a = load("components/a.provider.ts").aProvider;
      console.log(JSON.stringify({ before, warmed, a: a.name, served: record.served }));`;
    expect(JSON.parse(node(script, root))).toEqual({
      before: { cached: 0, ran: [null, null] },
      warmed: { cached: true, ran: [true, true] },
      a: "provider a",
      served: ["components/a.provider.ts"],
    });
  });

  it("a module whose top level throws while warming throws the same error at its first require", () => {
    const root = providerProject({
      "components/bad.provider.ts": 'export const badProvider = {};\nthrow new Error("bad top level");\n',
      "components/good.provider.ts": 'export const goodProvider = { name: "good" };\n',
    });
    const script = `${PROVIDERS_PRELUDE}
      record.warm();
      const attempt = (m) => { try { return load(m); } catch (e) { return { error: e.message }; } };
      console.log(JSON.stringify({ bad: attempt("components/bad.provider.ts"), again: attempt("components/bad.provider.ts"), good: attempt("components/good.provider.ts").goodProvider }));`;
    expect(JSON.parse(node(script, root))).toEqual({ bad: { error: "bad top level" }, again: { error: "bad top level" }, good: { name: "good" } });
  });
});

describe("infra/main.js", () => {
  it("is what Pulumi.yaml runs, without a TypeScript loader, with the preload beside it", () => {
    const yaml = readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    expect(yaml).toMatch(/^main: infra\/main\.js$/m);
    expect(yaml).not.toMatch(/tsx/);
    // The language host runs node in main's directory (pulumi/pulumi pkg/engine/project.go getPwdMain).
    const nodeargs = /^\s+nodeargs: (.+)$/m.exec(yaml)?.[1];
    expect(nodeargs).toBe("--require ./boot/program-preload.js");
    expect(() => require.resolve(path.join(ROOT, "infra", "./boot/program-preload.js"))).not.toThrow();
  });
});
