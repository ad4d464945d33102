/**
 * The `storage_provider` values Medusa accepts, and the S3 region rule of reference §2.1 with
 * design §2.6's fix (`s3_rgw` and `ibm_storage` are S3-compatible stores: `region = default`
 * means us-east-1 for them too, instead of failing a lookup in the legacy table).
 */

/** The backend families a provider name selects. */
export type ProviderKind = 'local' | 's3' | 's3_compatible' | 's3_rgw' | 'ibm_storage' | 'google_storage' | 'azure_blobs';

/** Provider names accepted as they are (besides legacy `s3_<region>` names). */
export const PROVIDER_NAMES: readonly ProviderKind[] = [
  'local',
  's3',
  's3_compatible',
  's3_rgw',
  'ibm_storage',
  'google_storage',
  'azure_blobs',
];

/**
 * Legacy libcloud provider names (from Medusa before 0.16) and the AWS region each stands for.
 * Medusa still accepts them: `storage_provider = s3_us_west_oregon` means S3 in us-west-2.
 */
export const LEGACY_S3_REGIONS: Readonly<Record<string, string>> = {
  s3_us_east: 'us-east-1',
  s3_us_east1: 'us-east-1',
  s3_us_east2: 'us-east-2',
  s3_us_west: 'us-west-1',
  s3_us_west2: 'us-west-2',
  s3_us_west_oregon: 'us-west-2',
  s3_us_gov_east: 'us-gov-east-1',
  s3_us_gov_west: 'us-gov-west-1',
  s3_eu_west: 'eu-west-1',
  s3_eu_west2: 'eu-west-2',
  s3_eu_central: 'eu-central-1',
  s3_eu_north1: 'eu-north-1',
  s3_ap_south: 'ap-south-1',
  s3_ap_southeast: 'ap-southeast-1',
  s3_ap_southeast2: 'ap-southeast-2',
  s3_ap_northeast: 'ap-northeast-1',
  s3_ap_northeast1: 'ap-northeast-1',
  s3_ap_northeast2: 'ap-northeast-2',
  s3_sa_east: 'sa-east-1',
  s3_sa_east2: 'sa-east-2',
  s3_ca_central: 'ca-central-1',
  s3_cn_north: 'cn-north-1',
  s3_cn_northwest: 'cn-northwest-1',
  s3_af_south: 'af-south-1',
  s3_me_south: 'me-south-1',
};

/** Providers for which `region = default` means us-east-1. */
const DEFAULT_REGION_PROVIDERS: readonly string[] = ['s3', 's3_compatible', 's3_rgw', 'ibm_storage'];

/**
 * The backend family of a provider name (case-insensitive, as Medusa's dispatch), or `undefined`
 * when Medusa would not accept it. Any name starting with `s3` other than the S3-compatible
 * flavours is AWS S3, as in Medusa.
 */
export function providerKind(provider: string): ProviderKind | undefined {
  const name = provider.toLowerCase();
  const exact = PROVIDER_NAMES.find((p) => p === name);
  if (exact) return exact;
  return name.startsWith('s3') ? 's3' : undefined;
}

/** True for providers served by the S3 client (AWS and the S3-compatible stores). */
export function isS3Family(kind: ProviderKind): boolean {
  return kind === 's3' || kind === 's3_compatible' || kind === 's3_rgw' || kind === 'ibm_storage';
}

/** Result of {@link resolveRegion}. */
export type RegionResult = { readonly ok: true; readonly region: string } | { readonly ok: false; readonly message: string };

/**
 * The region an S3-family provider talks to: an explicit `region` wins; `default` means us-east-1
 * for `s3`, `s3_compatible`, `s3_rgw` and `ibm_storage`, and the legacy table's region for an
 * `s3_<region>` name; an unknown legacy name with `region = default` is an error (as in Medusa).
 */
export function resolveRegion(provider: string, region: string): RegionResult {
  if (region.trim().toLowerCase() !== 'default') return { ok: true, region };
  const name = provider.toLowerCase();
  if (DEFAULT_REGION_PROVIDERS.includes(name)) return { ok: true, region: 'us-east-1' };
  const legacy = LEGACY_S3_REGIONS[name];
  if (legacy !== undefined) return { ok: true, region: legacy };
  return {
    ok: false,
    message: `"${provider}" is not a known legacy S3 provider name, so region "default" cannot be resolved: set [storage] region, or use storage_provider = s3`,
  };
}
