/**
 * The SDK credential for an `AzureAuth`: a Shared Key read from the Medusa key file, or
 * `DefaultAzureCredential`. @azure/identity (and MSAL under it) is imported only on that second
 * path, so key-file users and the other providers never load it.
 *
 * No token is requested here: `DefaultAzureCredential` tries its sources at the first request, and a
 * failure there reaches the operator through `mapAzureError` (one line naming each source's answer).
 */
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { AzureAuth } from './auth.js';
import { readAzureKeyFile } from './options.js';

/** A credential ready for `BlobServiceClient`, and the account it is for. */
export interface AzureCredential {
  readonly account: string;
  readonly credential: StorageSharedKeyCredential | TokenCredential;
}

/**
 * Builds the credential for `auth`. A missing or malformed key file is a `ConfigError` on
 * `[storage] key_file` naming `provider` and the file (never its content).
 */
export async function createAzureCredential(provider: string, auth: AzureAuth): Promise<AzureCredential> {
  if (auth.kind === 'shared-key') {
    const { account, key } = await readAzureKeyFile(provider, auth.keyFile);
    return { account, credential: new StorageSharedKeyCredential(account, key) };
  }
  const { DefaultAzureCredential } = await import('@azure/identity');
  // No options, as Medusa: the chain and its variables (AZURE_CLIENT_ID, AZURE_TENANT_ID,
  // AZURE_TOKEN_CREDENTIALS, ...) behave as Azure documents them.
  return { account: auth.account, credential: new DefaultAzureCredential() };
}
