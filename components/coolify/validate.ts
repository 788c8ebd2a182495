/**
 * Argument checks the components run before registering anything, so a bad combination fails the
 * program with one exact message instead of a half-applied update. Only values known at construction
 * time (plain values, not Outputs) can be checked here; the providers' `check` repeats the value checks.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  DOMAIN_PHRASE, envNameSchema, HEALTH_GATED_ROLLING_UPDATE_DEFAULT, httpPathSchema, imageRefSchema, isDomain, mountPathSchema, pinnedImageSchema,
  portMappingSchema, portSchema, refusal, retentionDaysSchema, scheduleSchema, sqlIdentifierSchema, volumeNameSchema,
} from "../rules";
import { passwordLengthSchema } from "../password.provider";
import { backupRetentionAmountSchema } from "./schemas";

// The value rules are components/rules.ts's, shared with the stack config and the providers' check.
export function digestError(image: string): string | undefined {
  return refusal("image", pinnedImageSchema, image);
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
  return refusal(what, portSchema, port);
}

export function scheduleError(schedule: string): string | undefined {
  return refusal("backups.schedule", scheduleSchema, schedule);
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
  const rolling = args.rollingUpdate ?? HEALTH_GATED_ROLLING_UPDATE_DEFAULT;
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
  for (const [field, map] of [["env", args.env], ["secretEnv", args.secretEnv]] as const) {
    for (const key of isPlainRecord(map) ? Object.keys(map) : []) {
      const problem = refusal(`${field} name`, envNameSchema, key);
      if (problem) fail(problem);
    }
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
    const problem = refusal("portMappings", portMappingSchema, mapping);
    if (problem) fail(problem);
  }
  if (args.healthCheck) {
    const problem = refusal("healthCheck.path", httpPathSchema, args.healthCheck.path);
    if (problem) fail(problem);
  }
  const seen = { names: new Set<string>(), paths: new Set<string>() };
  for (const v of args.volumes ?? []) {
    const problem = refusal("volumes name", volumeNameSchema, v.name) ?? refusal("volumes mountPath", mountPathSchema, v.mountPath);
    if (problem) fail(problem);
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
  databaseName?: pulumi.Input<string>;
  user?: pulumi.Input<string>;
  backups?: { schedule: string; retentionDays?: number; retentionAmount?: number };
}

export function validateDatabaseArgs(name: string, args: DatabaseArgsToCheck): void {
  const fail = (problem: string): never => {
    throw new Error(`CoolifyDatabase ${name}: ${problem}`);
  };
  if (args.password !== undefined && args.passwordLength !== undefined) {
    fail("password conflicts with passwordLength: passwordLength only shapes a generated password; set one of them");
  }
  const problem =
    (args.passwordLength === undefined ? undefined : refusal("passwordLength", passwordLengthSchema, args.passwordLength)) ??
    (args.backups ? scheduleError(args.backups.schedule) : undefined) ??
    (args.backups?.retentionDays === undefined ? undefined : refusal("backups.retentionDays", retentionDaysSchema, args.backups.retentionDays)) ??
    (args.backups?.retentionAmount === undefined ? undefined : refusal("backups.retentionAmount", backupRetentionAmountSchema, args.backups.retentionAmount)) ??
    (typeof args.image === "string" ? refusal("image", imageRefSchema(), args.image) : undefined) ??
    (typeof args.databaseName === "string" ? refusal("databaseName", sqlIdentifierSchema, args.databaseName) : undefined) ??
    (typeof args.user === "string" ? refusal("user", sqlIdentifierSchema, args.user) : undefined);
  if (problem) fail(problem);
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !pulumi.Output.isInstance(value) && !Array.isArray(value);
}
