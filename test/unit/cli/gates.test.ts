import { describe, expect, it } from "vitest";
import {
  checkBusinessHours,
  checkHealthy,
  checkTag,
  parseBusinessHours,
  parseReleaseTag,
  type FetchLike,
} from "../../../infra/cli/gates";

describe("gate tag", () => {
  it.each(["v0.0.0", "v1.2.3", "v10.20.30", "v2026.11.25"])("accepts %s", (tag) => {
    expect(checkTag(tag).ok).toBe(true);
  });
  it.each(["v1.2", "1.2.3", "v01.2.3", "v1.02.3", "v1.2.03", "v1.2.3-rc.1", "v1.2.3+build", "V1.2.3", "v1.2.3.4", " v1.2.3", "v1.2.3\n", "refs/tags/v1.2.3", "v99999999999999999.0.0", ""])(
    "rejects %j",
    (tag) => {
      expect(checkTag(tag)).toEqual({
        ok: false,
        message: `tag ${JSON.stringify(tag)} is not a release tag: expected vMAJOR.MINOR.PATCH with no leading zeros, e.g. v1.4.0`,
      });
    },
  );
  it("parses the numbers", () => {
    expect(parseReleaseTag("v1.20.3")).toEqual({ major: 1, minor: 20, patch: 3 });
  });
});

describe("gate hours", () => {
  const la = parseBusinessHours(); // Mon-Fri 09:00-17:00 America/Los_Angeles
  const at = (iso: string) => checkBusinessHours(new Date(iso), la);

  it("defaults to Mon-Fri 09:00-17:00 America/Los_Angeles", () => {
    expect(la).toEqual({ days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: 540, end: 1020, timeZone: "America/Los_Angeles" });
  });

  it("start is inclusive, end exclusive (PST, UTC-8)", () => {
    expect(at("2026-11-24T16:59:00Z")).toMatchObject({ ok: false, message: expect.stringContaining("Tue 08:59") });
    expect(at("2026-11-24T17:00:00Z")).toEqual({
      ok: true,
      message: "Tue 09:00 America/Los_Angeles is within business hours (Mon,Tue,Wed,Thu,Fri 09:00-17:00 America/Los_Angeles)",
    });
    expect(at("2026-11-25T00:59:00Z").ok).toBe(true); // Tue 16:59
    expect(at("2026-11-25T01:00:00Z")).toEqual({
      ok: false,
      message: "Tue 17:00 America/Los_Angeles is outside business hours (Mon,Tue,Wed,Thu,Fri 09:00-17:00 America/Los_Angeles)",
    });
  });

  it("uses daylight time after the spring-forward Sunday (a fixed UTC-8 would be an hour off)", () => {
    // 2026-03-08 02:00 PST -> 03:00 PDT. Monday 09:30 PDT is 16:30 UTC; in PST it would read 08:30.
    expect(at("2026-03-09T16:30:00Z")).toMatchObject({ ok: true, message: expect.stringContaining("Mon 09:30") });
    expect(at("2026-03-09T16:30:00Z").ok).not.toBe(at("2026-03-02T16:30:00Z").ok); // the week before: 08:30 PST
    expect(at("2026-03-10T00:00:00Z").ok).toBe(false); // Mon 17:00 PDT
  });

  it("switches back after the fall-back Sunday", () => {
    // 2026-11-01 02:00 PDT -> 01:00 PST. Friday before: 16:30 UTC = 09:30 PDT; Monday after: 16:30 UTC = 08:30 PST.
    expect(at("2026-10-30T16:30:00Z").ok).toBe(true);
    expect(at("2026-11-02T16:30:00Z")).toMatchObject({ ok: false, message: expect.stringContaining("Mon 08:30") });
    expect(at("2026-11-02T17:00:00Z").ok).toBe(true);
  });

  it("reads the weekday in the window's zone, not UTC's", () => {
    // Saturday 00:30 UTC is still Friday 16:30 in Los Angeles; Friday 18:00 UTC-side evening is Saturday in Tokyo.
    expect(at("2026-11-28T00:30:00Z")).toMatchObject({ ok: true, message: expect.stringContaining("Fri 16:30") });
    expect(at("2026-11-28T01:30:00Z").ok).toBe(false);
    expect(at("2026-11-30T08:00:00Z")).toMatchObject({ ok: false, message: expect.stringContaining("Mon 00:00") });
    const tokyo = parseBusinessHours({ tz: "Asia/Tokyo", from: "08:00" });
    // Sunday 23:00 UTC = Monday 08:00 JST (opens); Friday 08:00 UTC = Friday 17:00 JST (closed).
    expect(checkBusinessHours(new Date("2026-11-29T23:00:00Z"), tokyo)).toMatchObject({ ok: true, message: expect.stringContaining("Mon 08:00 Asia/Tokyo") });
    expect(checkBusinessHours(new Date("2026-11-29T22:59:00Z"), tokyo).ok).toBe(false);
    expect(checkBusinessHours(new Date("2026-11-27T08:00:00Z"), tokyo).ok).toBe(false);
    expect(checkBusinessHours(new Date("2026-11-27T07:59:00Z"), tokyo).ok).toBe(true);
  });

  it("handles half-hour offsets and half-hour DST shifts", () => {
    const kolkata = parseBusinessHours({ tz: "Asia/Kolkata" }); // UTC+5:30
    expect(checkBusinessHours(new Date("2026-11-24T03:30:00Z"), kolkata).ok).toBe(true); // 09:00
    expect(checkBusinessHours(new Date("2026-11-24T03:29:00Z"), kolkata).ok).toBe(false);
    const lordHowe = parseBusinessHours({ tz: "Australia/Lord_Howe" }); // +11 in summer, +10:30 in winter
    expect(checkBusinessHours(new Date("2026-01-05T22:00:00Z"), lordHowe)).toMatchObject({ ok: true, message: expect.stringContaining("Tue 09:00") });
    expect(checkBusinessHours(new Date("2026-07-06T22:00:00Z"), lordHowe)).toMatchObject({ ok: false, message: expect.stringContaining("Tue 08:30") });
  });

  it("supports custom days, lists and wrapping ranges", () => {
    expect(parseBusinessHours({ days: "Mon,Wed,Fri" }).days).toEqual(["Mon", "Wed", "Fri"]);
    expect(parseBusinessHours({ days: "Fri-Mon" }).days).toEqual(["Sun", "Mon", "Fri", "Sat"]);
    expect(parseBusinessHours({ days: "sat-sun", from: "00:00", to: "24:00", tz: "UTC" })).toEqual({
      days: ["Sun", "Sat"],
      start: 0,
      end: 1440,
      timeZone: "UTC",
    });
    const weekend = parseBusinessHours({ days: "Sat-Sun", from: "00:00", to: "24:00", tz: "UTC" });
    expect(checkBusinessHours(new Date("2026-11-29T23:59:00Z"), weekend).ok).toBe(true);
    expect(checkBusinessHours(new Date("2026-11-30T00:00:00Z"), weekend).ok).toBe(false);
  });

  it("lists every bad option in one message", () => {
    expect(() => parseBusinessHours({ days: "Mon-Fry", from: "9:00", tz: "Mars/Olympus" })).toThrow(
      'invalid business hours: --days: expected days such as Mon-Fri or Mon,Wed,Fri, got "Mon-Fry"; ' +
        '--from: expected HH:MM (00:00 to 24:00), got "9:00"; ' +
        '--tz: expected an IANA time zone such as America/Los_Angeles, got "Mars/Olympus"',
    );
    expect(() => parseBusinessHours({ from: "17:00", to: "09:00" })).toThrow(
      'invalid business hours: --to: the window must end after it starts, got "09:00"',
    );
  });

  it("fails on an invalid date instead of passing", () => {
    expect(checkBusinessHours(new Date("nope"), la)).toEqual({ ok: false, message: "invalid time" });
  });
});

describe("gate healthy", () => {
  function scripted(answers: Array<number | Error>): { fetch: FetchLike; calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      fetch: async (url) => {
        calls.push(url);
        const next = answers.shift();
        if (next === undefined) throw new Error("no more answers scripted");
        if (next instanceof Error) throw next;
        return { status: next };
      },
    };
  }
  const sleeps: number[] = [];
  const sleep = async (ms: number): Promise<void> => void sleeps.push(ms);

  it("retries 5xx and network errors until 2xx", async () => {
    sleeps.length = 0;
    const s = scripted([503, new Error("ECONNREFUSED"), 200]);
    const r = await checkHealthy("https://staging.shop.example/healthz?token=t0k", { fetch: s.fetch, attempts: 5, intervalMs: 250, sleep });
    expect(r).toEqual({ ok: true, message: "https://staging.shop.example/healthz is healthy (HTTP 200, attempt 3/5)" });
    expect(s.calls).toHaveLength(3);
    expect(sleeps).toEqual([250, 250]);
  });

  it("gives up after the bound, reporting the last failure without the query string", async () => {
    sleeps.length = 0;
    const s = scripted([500, 502, 404]);
    const r = await checkHealthy("https://staging.shop.example/healthz?token=t0k", { fetch: s.fetch, attempts: 3, intervalMs: 1, sleep });
    expect(r).toEqual({ ok: false, message: "https://staging.shop.example/healthz is not healthy after 3 attempts (last: HTTP 404)" });
    expect(s.calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2); // no pointless wait after the last try
  });

  it("rejects non-http URLs without fetching", async () => {
    const s = scripted([200]);
    expect(await checkHealthy("ftp://x.example/", { fetch: s.fetch, sleep })).toEqual({ ok: false, message: "health URL must be http(s), got ftp" });
    expect(await checkHealthy("not a url", { fetch: s.fetch, sleep })).toEqual({ ok: false, message: "health URL is not a valid URL" });
    expect(s.calls).toHaveLength(0);
  });

  it("bounds each request with a timeout signal", async () => {
    const slow: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason as Error)));
    const r = await checkHealthy("http://127.0.0.1:9/healthz", { fetch: slow, attempts: 2, intervalMs: 1, timeoutMs: 20, sleep });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^http:\/\/127\.0\.0\.1:9\/healthz is not healthy after 2 attempts \(last: TimeoutError: /);
  });
});
