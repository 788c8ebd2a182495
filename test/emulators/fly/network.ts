import type { Route, RouteContext } from "../common/http";
import { flyRoute, ok } from "./route";
import { AppRecord, CertificateRecord, FlyError, FlyState, S, TIMING } from "./state";

const ONE = "/v1/apps/{app_name}";
const HOSTNAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const SHARED_V4 = "66.241.124.100";

function appOf(st: FlyState, ctx: RouteContext): AppRecord {
  return st.app(ctx.params.app_name ?? "");
}

/** The app's public addresses, which a custom domain's A/AAAA records must point at. */
function dnsRequirements(app: AppRecord): S["DNSRequirements"] {
  const a = app.ips.filter((i) => i.ip && !i.ip.includes(":") && !i.egress).map((i) => i.ip!);
  const aaaa = app.ips.filter((i) => i.ip?.startsWith("2a09") && !i.egress).map((i) => i.ip!);
  return { a, aaaa, cname: `${app.name}.fly.dev` };
}

function issued(st: FlyState, c: CertificateRecord): boolean {
  return c.custom || st.clock.now() >= c.issueAt;
}

/** ACME certificates are issued a few (emulated) seconds after creation; custom ones are active at once. */
function renderCert(st: FlyState, app: AppRecord, c: CertificateRecord): S["CertificateDetail"] {
  const done = issued(st, c);
  return {
    hostname: c.hostname,
    acme_requested: !c.custom,
    configured: done,
    status: done ? "Ready" : "Awaiting certificates",
    certificates: [
      {
        source: c.custom ? "custom" : "fly",
        status: done ? "active" : "pending_validation",
        issuer: c.custom ? "custom" : "Let's Encrypt",
        created_at: st.iso(c.createdAt),
        expires_at: st.iso(c.createdAt + 90 * 24 * 3600 * 1000),
      },
    ],
    dns_requirements: dnsRequirements(app),
    validation: { dns_configured: done, alpn_configured: done, http_configured: done, ownership_txt_configured: true },
    validation_errors: [],
  };
}

function summary(st: FlyState, c: CertificateRecord): S["CertificateSummary"] {
  const done = issued(st, c);
  return {
    hostname: c.hostname,
    acme_requested: !c.custom,
    configured: done,
    status: done ? "Ready" : "Awaiting certificates",
    has_custom_certificate: c.custom,
    has_fly_certificate: !c.custom && done,
    created_at: st.iso(c.createdAt),
    updated_at: st.iso(done ? Math.max(c.createdAt, c.issueAt) : c.createdAt),
  };
}

/** Which app owns a hostname, if any (a hostname belongs to one app across the platform). */
export function certificateOwner(st: FlyState, hostname: string): AppRecord | undefined {
  for (const app of st.apps.values()) if (app.certificates.has(hostname)) return app;
  return undefined;
}

function addCertificate(st: FlyState, app: AppRecord, hostname: string | undefined, custom: boolean): S["CertificateDetail"] {
  const host = (hostname ?? "").toLowerCase();
  if (!HOSTNAME.test(host)) throw new FlyError(422, `invalid hostname ${JSON.stringify(hostname ?? "")}`);
  const owner = certificateOwner(st, host);
  if (owner && owner !== app) throw new FlyError(422, `hostname ${host} is already in use by another app`);
  // Adding a hostname the app already has returns the existing certificate (the service is idempotent here).
  let c = app.certificates.get(host);
  if (!c) {
    const now = st.clock.now();
    c = { hostname: host, appName: app.name, custom, createdAt: now, issueAt: now + TIMING.certificateIssue };
    app.certificates.set(host, c);
  } else if (custom) {
    c.custom = true;
  }
  return renderCert(st, app, c);
}

function certOf(app: AppRecord, ctx: RouteContext): CertificateRecord {
  const c = app.certificates.get((ctx.params.hostname ?? "").toLowerCase());
  if (!c) throw new FlyError(404, "certificate not found");
  return c;
}

export function networkRoutes(st: FlyState): Route[] {
  return [
    flyRoute("GET", `${ONE}/ip_assignments`, (ctx) => ok({ ips: appOf(st, ctx).ips } satisfies S["listIPAssignmentsResponse"])),
    flyRoute("POST", `${ONE}/ip_assignments`, (ctx) => {
      const app = appOf(st, ctx);
      const body = (ctx.body ?? {}) as S["assignIPRequest"];
      const created_at = st.iso();
      const region = body.region ?? "global";
      switch (body.type) {
        case undefined:
          throw new FlyError(400, "invalid_argument: type is required");
        case "shared_v4": {
          // An app has at most one shared IPv4; asking again returns it.
          let ip = app.ips.find((i) => i.shared);
          if (!ip) app.ips.push((ip = { ip: SHARED_V4, created_at, region: "global", shared: true, egress: false, service_name: body.service_name }));
          return ok(ip satisfies S["AssignIPResponse"]);
        }
        case "egress_pair": {
          if (!body.region) throw new FlyError(400, "invalid_argument: egress IPs need a region");
          const v4 = { ip: st.nextIp("v4"), created_at, region, shared: false, egress: true };
          const v6 = { ip: st.nextIp("v6"), created_at, region, shared: false, egress: true };
          app.ips.push(v4, v6);
          return ok({ created_at, region, egress: true, shared: false, ip_pair: { v4: v4.ip, v6: v6.ip } } satisfies S["AssignIPResponse"]);
        }
        default: {
          const egress = body.type === "egress_v4" || body.type === "egress_v6";
          if (egress && !body.region) throw new FlyError(400, "invalid_argument: egress IPs need a region");
          const kind = body.type === "private_v6" ? "private" : body.type.endsWith("v4") ? "v4" : "v6";
          const ip: S["IPAssignment"] = { ip: st.nextIp(kind), created_at, region, shared: false, egress, service_name: body.service_name };
          if (kind === "private") ip.network = { name: body.network ?? "", org_slug: body.org_slug ?? app.orgSlug };
          app.ips.push(ip);
          return ok(ip satisfies S["AssignIPResponse"]);
        }
      }
    }),
    flyRoute("DELETE", `${ONE}/ip_assignments/{ip}`, (ctx) => {
      const app = appOf(st, ctx);
      const i = app.ips.findIndex((x) => x.ip === ctx.params.ip);
      if (i < 0) throw new FlyError(404, "ip assignment not found");
      app.ips.splice(i, 1);
      return { status: 204 };
    }),

    flyRoute("GET", `${ONE}/certificates`, (ctx) => {
      const app = appOf(st, ctx);
      const filter = ctx.query.filter ?? "";
      const certs = [...app.certificates.values()].filter((c) => c.hostname.includes(filter));
      return ok({ certificates: certs.map((c) => summary(st, c)), total_count: certs.length } satisfies S["listCertificatesResponse"]);
    }),
    flyRoute("POST", `${ONE}/certificates/acme`, (ctx) => {
      const app = appOf(st, ctx);
      return { status: 201, body: addCertificate(st, app, (ctx.body as S["createAcmeCertificateRequest"] | undefined)?.hostname, false) };
    }),
    flyRoute("POST", `${ONE}/certificates/custom`, (ctx) => {
      const app = appOf(st, ctx);
      const body = (ctx.body ?? {}) as S["createCustomCertificateRequest"];
      if (!body.fullchain?.includes("BEGIN CERTIFICATE") || !body.private_key?.includes("PRIVATE KEY")) {
        throw new FlyError(422, "fullchain and private_key must be PEM encoded");
      }
      return { status: 201, body: addCertificate(st, app, body.hostname, true) };
    }),
    flyRoute("GET", `${ONE}/certificates/{hostname}`, (ctx) => {
      const app = appOf(st, ctx);
      return ok(renderCert(st, app, certOf(app, ctx)));
    }),
    flyRoute("POST", `${ONE}/certificates/{hostname}/check`, (ctx) => {
      const app = appOf(st, ctx);
      return ok(renderCert(st, app, certOf(app, ctx)) satisfies S["CertificateCheckResponse"]);
    }),
    flyRoute("DELETE", `${ONE}/certificates/{hostname}`, (ctx) => {
      const app = appOf(st, ctx);
      app.certificates.delete(certOf(app, ctx).hostname);
      return { status: 204 };
    }),
    // Removing the ACME part of a custom-backed hostname keeps it; otherwise the hostname goes away.
    flyRoute("DELETE", `${ONE}/certificates/{hostname}/acme`, (ctx) => {
      const app = appOf(st, ctx);
      const c = certOf(app, ctx);
      const out = renderCert(st, app, c);
      if (!c.custom) app.certificates.delete(c.hostname);
      return ok({ ...out, acme_requested: false });
    }),
    flyRoute("DELETE", `${ONE}/certificates/{hostname}/custom`, (ctx) => {
      const app = appOf(st, ctx);
      const c = certOf(app, ctx);
      if (!c.custom) throw new FlyError(404, "no custom certificate for this hostname");
      c.custom = false;
      c.issueAt = st.clock.now() + TIMING.certificateIssue;
      return ok({ ...renderCert(st, app, c), warning: "custom certificate removed; an ACME certificate will be issued" });
    }),
  ];
}
