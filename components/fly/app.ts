import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "../dynamic";
import { resolveFlyConnection, type FlyConnectionArgs } from "./connection";

export interface FlyAppArgs {
  /** Globally unique app name; also its hostname `<name>.fly.dev`. Changing it replaces the app. @example "acme-web-production" */
  name: pulumi.Input<string>;
  /** Organization slug. Changing it replaces the app. @default "personal" (the token owner's personal org) */
  org?: pulumi.Input<string>;
  /**
   * Addresses the app gets: `public` = a shared IPv4 plus a dedicated IPv6 (reachable from the internet);
   * `private` = a Flycast private IPv6 only (reachable from the org's 6PN network, e.g. a database);
   * `none` = no addresses (machines still get `.internal` names).
   * @default "public"
   */
  ips?: "public" | "private" | "none";
  /** Custom domains that get a Fly-managed (ACME) certificate; always https. @default [] @example ["app.example.com"] */
  domains?: pulumi.Input<string>[];
  /** @default `fly:*` config or FLY_API_URL / FLY_API_TOKEN */
  connection?: FlyConnectionArgs;
}

export function validateAppArgs(name: string, args: FlyAppArgs): void {
  const ips = args.ips ?? "public";
  if ((args.domains ?? []).length > 0 && ips !== "public") {
    throw new Error(`FlyApp "${name}": domains need public IPs; set ips to "public" or remove domains (ips is "${ips}")`);
  }
}

class FlyAppResource extends DynamicResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly org: pulumi.Output<string>;
  declare readonly appId: pulumi.Output<string>;
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("fly:app"), name, { appId: undefined, ...props },
      { ...opts, additionalSecretOutputs: ["connection"] }, "fly", "App");
  }
}

class FlyIpResource extends DynamicResource {
  declare readonly address: pulumi.Output<string>;
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("fly:ip"), name, { address: undefined, ...props },
      { ...opts, additionalSecretOutputs: ["connection"] }, "fly", "IpAssignment");
  }
}

class FlyCertificateResource extends DynamicResource {
  declare readonly hostname: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly dnsRequirements: pulumi.Output<{ a: string[]; aaaa: string[]; cname?: string }>;
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("fly:certificate"), name,
      { status: undefined, dnsRequirements: undefined, ...props },
      { ...opts, additionalSecretOutputs: ["connection"] }, "fly", "Certificate");
  }
}

/** A Fly app with its IP addresses and the certificates of its custom domains. */
export class FlyApp extends pulumi.ComponentResource {
  /** The app name (use it as `app` of every other Fly component, so they depend on the app). */
  public readonly name: pulumi.Output<string>;
  public readonly org: pulumi.Output<string>;
  /** `<name>.fly.dev` */
  public readonly hostname: pulumi.Output<string>;
  /** `<name>.flycast` (private, through the proxy; needs `ips: "private"` or `"public"` with a Flycast address) */
  public readonly flycastHostname: pulumi.Output<string>;
  /** `<name>.internal` (6PN DNS of the machines themselves) */
  public readonly internalHostname: pulumi.Output<string>;
  /** Addresses assigned to the app. */
  public readonly ipAddresses: pulumi.Output<string[]>;
  /** Certificate status per custom domain. */
  public readonly certificates: pulumi.Output<{ hostname: string; status: string }[]>;

  constructor(name: string, args: FlyAppArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super(): a bad combination must fail before anything is registered.
    validateAppArgs(name, args);
    const connection = resolveFlyConnection("FlyApp", args.connection);
    super("slipway:fly:App", name, {}, opts);
    const app = new FlyAppResource(name, { connection, name: args.name, org: args.org ?? "personal" },
      { parent: this, dependsOn: opts?.dependsOn });

    const ips = args.ips ?? "public";
    const types = ips === "public" ? ["shared_v4", "v6"] : ips === "private" ? ["private_v6"] : [];
    const ipResources = types.map(
      (type) => new FlyIpResource(`${name}-${type}`, { connection, app: app.name, type }, { parent: this }),
    );
    const addresses = ipResources.map((ip) => ip.address);

    const certs = (args.domains ?? []).map((domain, i) => {
      const cert = new FlyCertificateResource(`${name}-cert-${i}`, { connection, app: app.name, hostname: domain },
        // ACME validation needs the app's public addresses in place first.
        { parent: this, dependsOn: ipResources });
      return pulumi.all([cert.hostname, cert.status]).apply(([hostname, status]) => ({ hostname, status }));
    });

    this.name = app.name;
    this.org = app.org;
    this.hostname = pulumi.interpolate`${app.name}.fly.dev`;
    this.flycastHostname = pulumi.interpolate`${app.name}.flycast`;
    this.internalHostname = pulumi.interpolate`${app.name}.internal`;
    this.ipAddresses = pulumi.all(addresses);
    this.certificates = pulumi.all(certs);
    this.registerOutputs({
      name: this.name,
      org: this.org,
      hostname: this.hostname,
      ipAddresses: this.ipAddresses,
      certificates: this.certificates,
    });
  }
}
