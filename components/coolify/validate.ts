/**
 * Argument checks the components run before registering anything, so a bad combination fails the
 * program with one exact message instead of a half-applied update. Only values known at construction
 * time (plain values, not Outputs) can be checked here; the providers' `check` repeats the value checks.
 */
import * as pulumi from "@pulumi/pulumi";
import { DOMAIN_PHRASE, isDomain, isPinnedImage, isSchedule, PINNED_IMAGE_PHRASE, SCHEDULE_PHRASE } from "../rules";

// The value rules are components/rules.ts's, shared with the stack config and the providers' check.
export function digestError(image: string): string | undefined {
  return isPinnedImage(image) ? undefined : `image: expected ${PINNED_IMAGE_PHRASE}, got "${image}"`;
}

export function domainError(domain: string): string | undefined {
  if (/^http:\/\//i.test(domain)) return `domains are always served over https, got "${domain}"`;
  // `https://` and a trailing slash are accepted here and stripped by the component (hostOf); case too.
  // `host:port` routes the domain to that container port (Coolify v4.3.10 bootstrap/helpers/docker.php
  // fqdnLabelsForTraefik/fqdnLabelsForCaddy: the URL's port, else the first exposed port); the proxy serves 443.
  const host = domain.replace(/^https:\/\//i, "").replace(/\/+$/, "").toLowerCase();
  return isDomain(host) ? undefined : `domains: expected ${DOMAIN_PHRASE}, got "${domain}"`;
}

export function portError(what: string, port: number): string | undefined {
  return Number.isInteger(port) && port >= 1 && port <= 65535
    ? undefined
    : `${what} must be an integer port between 1 and 65535, got ${port}`;
}

export function scheduleError(schedule: string): string | undefined {
  return isSchedule(schedule) ? undefined : `backups.schedule: expected ${SCHEDULE_PHRASE}, got "${schedule}"`;
}

interface ApplicationArgsToCheck {
  image: pulumi.Input<string>;
  domains?: pulumi.Input<pulumi.Input<string>[]>;
  port: pulumi.Input<number>;
  internalPorts?: pulumi.Input<pulumi.Input<number>[]>;
  portMappings?: string[];
  rollingUpdate?: boolean;
  healthCheck?: { path: string; port?: number };
  env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  secretEnv?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  volumes?: { name: string; mountPath: string }[];
}

/** Throws `CoolifyApplication <name>: <problem>` for the first conflict, then the first bad value. */
export function validateApplicationArgs(name: string, args: ApplicationArgsToCheck): void {
  const fail = (problem: string): never => {
    throw new Error(`CoolifyApplication ${name}: ${problem}`);
  };
  const rolling = args.rollingUpdate ?? true;
  // Conflicts first: they are about intent, and the fix is a choice the user has to make.
  if (rolling && (args.portMappings?.length ?? 0) > 0) {
    fail(
      "portMappings conflicts with rollingUpdate: Coolify cannot roll a container that binds host ports; " +
        "remove portMappings or set rollingUpdate: false",
    );
  }
  if (rolling && args.healthCheck === undefined) {
    fail("rollingUpdate requires a healthCheck: Coolify only rolls when the new container passes one; add healthCheck or set rollingUpdate: false");
  }
  if (isPlainRecord(args.env) && isPlainRecord(args.secretEnv)) {
    const both = Object.keys(args.env).filter((k) => k in (args.secretEnv as object));
    if (both.length > 0) fail(`env and secretEnv both set ${both.join(", ")}; a variable is either plain or secret`);
  }

  if (typeof args.image === "string") {
    const problem = digestError(args.image);
    if (problem) fail(problem);
  }
  if (Array.isArray(args.domains)) {
    for (const d of args.domains) {
      const problem = typeof d === "string" ? domainError(d) : undefined;
      if (problem) fail(problem);
    }
  }
  if (typeof args.port === "number") {
    const problem = portError("port", args.port);
    if (problem) fail(problem);
  }
  if (Array.isArray(args.internalPorts)) {
    for (const p of args.internalPorts) {
      const problem = typeof p === "number" ? portError("internalPorts", p) : undefined;
      if (problem) fail(problem);
    }
  }
  for (const mapping of args.portMappings ?? []) {
    if (!/^\d{1,5}:\d{1,5}$/.test(mapping)) fail(`portMappings must look like "8080:3000", got "${mapping}"`);
  }
  if (args.healthCheck && !args.healthCheck.path.startsWith("/")) {
    fail(`healthCheck.path must start with "/", got "${args.healthCheck.path}"`);
  }
  const seen = { names: new Set<string>(), paths: new Set<string>() };
  for (const v of args.volumes ?? []) {
    if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(v.name)) fail(`volumes name must be letters, digits, "_", "." or "-", got "${v.name}"`);
    if (!v.mountPath.startsWith("/")) fail(`volumes mountPath must be an absolute path, got "${v.mountPath}"`);
    if (seen.names.has(v.name)) fail(`volumes name "${v.name}" is used twice`);
    if (seen.paths.has(v.mountPath)) fail(`volumes mountPath "${v.mountPath}" is used twice`);
    seen.names.add(v.name);
    seen.paths.add(v.mountPath);
  }
}

interface DatabaseArgsToCheck {
  image?: pulumi.Input<string>;
  password?: pulumi.Input<string>;
  passwordLength?: number;
  backups?: { schedule: string; retentionDays?: number; retentionAmount?: number };
}

export function validateDatabaseArgs(name: string, args: DatabaseArgsToCheck): void {
  const fail = (problem: string): never => {
    throw new Error(`CoolifyDatabase ${name}: ${problem}`);
  };
  if (args.password !== undefined && args.passwordLength !== undefined) {
    fail("password conflicts with passwordLength: passwordLength only shapes a generated password; set one of them");
  }
  if (args.passwordLength !== undefined && !(Number.isInteger(args.passwordLength) && args.passwordLength >= 16 && args.passwordLength <= 128)) {
    fail(`passwordLength must be an integer from 16 to 128, got ${args.passwordLength}`);
  }
  if (args.backups) {
    const problem = scheduleError(args.backups.schedule);
    if (problem) fail(problem);
    for (const key of ["retentionDays", "retentionAmount"] as const) {
      const value = args.backups[key];
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
        fail(`backups.${key} must be an integer ≥ 0, got ${value}`);
      }
    }
  }
  if (typeof args.image === "string" && !/^[a-z0-9][a-z0-9._\-/]*(:[\w.\-]+)?(@sha256:[a-f0-9]{64})?$/.test(args.image)) {
    fail(`image must be a Docker image reference like "pgvector/pgvector:pg16", got "${args.image}"`);
  }
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !pulumi.Output.isInstance(value) && !Array.isArray(value);
}
