/**
 * The one table from a dynamic provider's logical key to the module that implements it. A resource's state
 * holds only its key (`coolify:application`) and this file's path: the loader in ../dynamic.ts reads this table
 * in the provider process and loads the module it names. So a provider module can move or be renamed by
 * changing `module` here, while every existing stack keeps refreshing and deleting its resources.
 *
 * Rules: a key, once released, is never renamed or removed (states hold it); this file stays at
 * `components/provider/registry.ts` (states hold that path too) and imports nothing, because the loader reads
 * it before anything else in every provider process.
 *
 * States written before keys existed (slipway up to a1157a4) hold the module path and export of each provider
 * instead; those paths are listed in `LEGACY_PROVIDER_PATHS` and must keep resolving until no such state is left
 * (test/unit/components/provider/registry.test.ts and test/e2e/legacy-state.test.ts hold them to it).
 */
export interface ProviderEntry {
  /** The implementing module, relative to the project root (the directory holding Pulumi.yaml). */
  readonly module: string;
  /** Its export that is the provider (a `defineProvider(...)` result). */
  readonly export: string;
}

export const PROVIDERS = {
  "coolify:project": { module: "components/coolify/project.provider.ts", export: "coolifyProjectProvider" },
  "coolify:application": { module: "components/coolify/application.provider.ts", export: "coolifyApplicationProvider" },
  "coolify:database": { module: "components/coolify/database.provider.ts", export: "coolifyDatabaseProvider" },
  "fly:app": { module: "components/fly/app.provider.ts", export: "flyAppProvider" },
  "fly:ip": { module: "components/fly/ip.provider.ts", export: "flyIpProvider" },
  "fly:certificate": { module: "components/fly/certificate.provider.ts", export: "flyCertificateProvider" },
  "fly:secrets": { module: "components/fly/secrets.provider.ts", export: "flySecretsProvider" },
  "fly:volume": { module: "components/fly/volume.provider.ts", export: "flyVolumeProvider" },
  "fly:machine-group": { module: "components/fly/machine-group.provider.ts", export: "flyMachineGroupProvider" },
  "fly:release-command": { module: "components/fly/release-command.provider.ts", export: "flyReleaseCommandProvider" },
  "coolify:volume-backup": { module: "components/coolify/volume-backup.provider.ts", export: "coolifyVolumeBackupProvider" },
  "slipway:generated-password": { module: "components/password.provider.ts", export: "generatedPasswordProvider" },
  "slipway:release": { module: "components/release.provider.ts", export: "releaseProvider" },
  "fly:managed-postgres": { module: "components/fly/managed-postgres.provider.ts", export: "flyManagedPostgresProvider" },
  "fly:managed-postgres-database": { module: "components/fly/managed-postgres-database.provider.ts", export: "flyManagedDatabaseProvider" },
  "fly:managed-postgres-attachment": { module: "components/fly/managed-postgres-attachment.provider.ts", export: "flyManagedPostgresAttachmentProvider" },
} as const satisfies Record<string, ProviderEntry>;

export type ProviderKey = keyof typeof PROVIDERS;

/**
 * What states written by the path-based loader (before keys) name: the old `lazyProvider` loader's module and export, as each
 * resource class passed it. Moving one of these files breaks refresh and delete of those resources.
 */
export const LEGACY_PROVIDER_PATHS: readonly ProviderEntry[] = [
  { module: "components/coolify/project.provider.ts", export: "coolifyProjectProvider" },
  { module: "components/coolify/application.provider.ts", export: "coolifyApplicationProvider" },
  { module: "components/coolify/database.provider.ts", export: "coolifyDatabaseProvider" },
  { module: "components/fly/app.provider.ts", export: "flyAppProvider" },
  { module: "components/fly/ip.provider.ts", export: "flyIpProvider" },
  { module: "components/fly/certificate.provider.ts", export: "flyCertificateProvider" },
  { module: "components/fly/secrets.provider.ts", export: "flySecretsProvider" },
  { module: "components/fly/volume.provider.ts", export: "flyVolumeProvider" },
  { module: "components/fly/machine-group.provider.ts", export: "flyMachineGroupProvider" },
  { module: "components/fly/release-command.provider.ts", export: "flyReleaseCommandProvider" },
  { module: "components/coolify/volume-backup.provider.ts", export: "coolifyVolumeBackupProvider" },
  { module: "components/password.provider.ts", export: "generatedPasswordProvider" },
  { module: "components/release.provider.ts", export: "releaseProvider" },
];

/**
 * The provider a resource's serialized loader (its `__provider` in state) names: by key (../dynamic.ts
 * `providerFor` captures `registryModule` and `key`) or, in a state written before keys, by module path and export
 * (the old loader captured `modulePath` and `exportName`; Pulumi's closure serializer writes captured variables as
 * `with({ name: "value", … })`). For tools that act on a state, such as `slipway recover`.
 */
export function providerNamedBy(serialized: string): (ProviderEntry & { key?: string }) | undefined {
  const key = /\bkey: "([^"]+)"/.exec(serialized)?.[1];
  if (key !== undefined) {
    const entry = (PROVIDERS as Record<string, ProviderEntry | undefined>)[key];
    return entry ? { ...entry, key } : undefined;
  }
  const legacy = /modulePath: "([^"]+\.provider\.ts)", exportName: "([A-Za-z_$][\w$]*)"/.exec(serialized);
  return legacy ? { module: legacy[1] as string, export: legacy[2] as string } : undefined;
}
