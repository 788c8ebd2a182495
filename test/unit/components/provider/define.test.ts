import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineProvider, diffFields, UNKNOWN, withoutUndefined } from "../../../../components/provider";

const schema = z.object({
  connection: z.object({ apiUrl: z.string(), token: z.string() }),
  name: z.string().min(1),
  size: z.number().int().min(1),
  note: z.string().optional(),
});
type I = z.infer<typeof schema>;
interface O extends I {
  uuid: string;
}

function thing(state: { live?: O; fail?: Error } = {}) {
  return defineProvider<I, O>({
    resource: "Thing",
    schema,
    nameOf: (inputs) => inputs.name,
    checkChange: (olds, news) => (olds.size !== undefined && news.size < olds.size ? [{ property: "size", reason: "cannot shrink" }] : []),
    diff: (olds, news) => diffFields(olds, news, { name: { kind: "update" }, size: { kind: "replace" } }),
    create: async (inputs) => {
      if (state.fail) throw state.fail;
      return { id: "u1", outs: { ...inputs, uuid: "u1", note: undefined } };
    },
    read: async () => state.live,
    delete: async () => {
      if (state.fail) throw state.fail;
    },
  });
}
const connection = { apiUrl: "http://127.0.0.1:1", token: "t" };
const inputs: I = { connection, name: "web", size: 2 };

describe("defineProvider", () => {
  it("checks with the schema, leaves unknowns for later, then applies the change rules", async () => {
    const p = thing();
    expect(await p.check({}, inputs)).toEqual({ inputs });
    expect(await p.check({}, { ...inputs, name: "", size: 0 })).toEqual({
      failures: [
        { property: "name", reason: "Too small: expected string to have >=1 characters" },
        { property: "size", reason: "Too small: expected number to be >=1" },
      ],
    });
    expect((await p.check({}, { ...inputs, size: UNKNOWN })).failures).toBeUndefined();
    expect(await p.check({ ...inputs, uuid: "u1", size: 3 }, inputs)).toEqual({ failures: [{ property: "size", reason: "cannot shrink" }] });
  });

  it("answers the engine 'unknown' when something changed, 'none' otherwise, with the provider's replaces", async () => {
    const p = thing();
    const olds: O = { ...inputs, uuid: "u1" };
    expect(await p.diff("u1", olds, { ...inputs, name: "api" })).toMatchObject({ changes: undefined, replaces: [] });
    expect(await p.diff("u1", olds, { ...inputs, size: 3 })).toMatchObject({ changes: undefined, replaces: ["size"] });
    expect(await p.diff("u1", olds, { ...inputs, connection: { ...connection, token: "rotated" } })).toMatchObject({ changes: false });
  });

  it("creates from parsed inputs and hands back no undefined members", async () => {
    expect(await thing().create({ ...inputs, extra: "dropped by the schema" } as I)).toEqual({ id: "u1", outs: { ...inputs, uuid: "u1" } });
    await expect(thing().create({ ...inputs, size: 0 })).rejects.toThrow("Thing: invalid inputs: size: Too small: expected number to be >=1");
  });

  it("reports refreshed values as inputs (the schema's keys), and a gone resource as {}", async () => {
    const live: O = { ...inputs, name: "hand-renamed", uuid: "u1", note: undefined };
    expect(await thing({ live }).read("u1", { ...inputs, uuid: "u1" })).toEqual({
      id: "u1",
      props: { connection, name: "hand-renamed", size: 2, uuid: "u1" },
      inputs: { connection, name: "hand-renamed", size: 2 },
    });
    expect(await thing().read("u1", { ...inputs, uuid: "u1" })).toEqual({});
  });

  it("keeps the outputs and takes the new inputs when the definition has no update", async () => {
    const olds: O = { ...inputs, uuid: "u1" };
    expect(await thing().update("u1", olds, { ...inputs, connection: { ...connection, token: "new" } })).toEqual({
      outs: { ...olds, connection: { ...connection, token: "new" } },
    });
  });

  it("names the resource in errors without changing their class", async () => {
    class Refused extends Error {}
    const error = await thing({ fail: new Refused("POST /things: 422 taken") }).create(inputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Refused);
    expect((error as Error).message).toBe("Thing web: POST /things: 422 taken");
    await expect(thing({ fail: new Error("Thing: already named") }).delete("u1", { ...inputs, uuid: "u1" })).rejects.toThrow(/^Thing: already named$/);
    await expect(thing({ fail: new Error("gone wrong") }).delete("u1", { ...inputs, uuid: "u1" })).rejects.toThrow(/^Thing u1: gone wrong$/);
  });

  it("rewrite replaces checked inputs (keeping the host's own keys) or refuses; it never sees invalid ones", async () => {
    const seen: I[] = [];
    const p = defineProvider<I, O>({
      resource: "Thing",
      schema,
      rewrite: (olds, news) => {
        seen.push(news);
        if (news.name === "refused") return { failures: [{ property: "name", reason: "taken" }] };
        return { ...news, size: olds.size ?? news.size, note: undefined };
      },
      diff: (olds, news) => diffFields(olds, news, { size: { kind: "update" } }),
      create: async (inputs) => ({ id: "u1", outs: { ...inputs, uuid: "u1" } }),
      read: async () => undefined,
      delete: async () => undefined,
    });
    const inputs = { connection: { apiUrl: "http://127.0.0.1:1", token: "t" }, name: "a", size: 5 };
    expect(await p.check({ ...inputs, size: 9, uuid: "u1" }, { ...inputs, __provider: "loader" })).toEqual({
      inputs: { ...inputs, size: 9, __provider: "loader" },
    });
    expect(await p.check({}, { ...inputs, name: "refused" })).toEqual({ failures: [{ property: "name", reason: "taken" }] });
    expect((await p.check({}, { ...inputs, size: 0 })).failures).toHaveLength(1);
    expect(seen.map((n) => n.name)).toEqual(["a", "refused"]);
  });

  it("findOwn is offered only when defined, and gets parsed inputs", async () => {
    expect(thing().findOwn).toBeUndefined();
    const p = defineProvider<I, O>({
      resource: "Thing",
      schema,
      findOwn: async (inputs) => ({ id: `own-${inputs.name}`, description: `Thing ${inputs.name}` }),
      diff: (olds, news) => diffFields(olds, news, {}),
      create: async (inputs) => ({ id: "u1", outs: { ...inputs, uuid: "u1" } }),
      read: async () => undefined,
      delete: async () => undefined,
    });
    const inputs = { connection: { apiUrl: "http://127.0.0.1:1", token: "t" }, name: "a", size: 5 };
    expect(await p.findOwn!(inputs)).toEqual({ id: "own-a", description: "Thing a" });
    await expect(p.findOwn!({ ...inputs, size: "5" })).rejects.toThrow(/^Thing: invalid inputs: size/);
  });

  it("withoutUndefined drops what Struct.fromJavaScript refuses, keeping array positions", () => {
    expect(withoutUndefined({ a: 1, b: undefined, c: { d: undefined, e: [1, undefined] } })).toEqual({ a: 1, c: { e: [1, null] } });
    expect(JSON.stringify(withoutUndefined({ x: undefined }))).toBe("{}");
  });
});
