/**
 * How `azure_blobs` authenticates, decided from `[storage]` and the environment. Pure: no file is
 * read and no SDK is loaded here (see `credential.ts` for that).
 *
 * Python Medusa 0.31 (reference §2.1, §2.9): with `key_file`, the JSON file's `storage_account` and
 * `key` (Shared Key); without it, `DefaultAzureCredential` (environment service principal,
 * workload identity, managed identity, Azure CLI, ...) and the account named by the
 * `AZURE_STORAGE_ACCOUNT` variable, which is then required. A key file wins over the variable.
 * The endpoint is built the same way in both cases (`accountUrl` in `options.ts`).
 */
import type { StorageSection } from '../../../config/types.js';
import type { ConfigProblem } from '../../../util/errors.js';

/** The environment variable naming the storage account when no key file is given (as Medusa). */
export const ACCOUNT_ENV = 'AZURE_STORAGE_ACCOUNT';

/**
 * The authentication of an `azure_blobs` backend: Shared Key from a Medusa key file (the account is
 * in the file, read later), or a token from `DefaultAzureCredential` for `account`.
 */
export type AzureAuth =
  | { readonly kind: 'shared-key'; readonly keyFile: string }
  | { readonly kind: 'default-credential'; readonly account: string };

/** What the error messages need to know about the authentication in use. */
export type AzureAuthKind = AzureAuth['kind'];

// Azure's own rule is 3-24 lowercase letters and digits; emulators and sovereign clouds may be
// laxer, so only characters that would change the URL (a host label or a path segment) are refused.
const ACCOUNT_NAME = /^[A-Za-z0-9-]{1,63}$/;

/**
 * The authentication `storage` asks for, or the problem (on `[storage] key_file`) that prevents
 * choosing one. `env` is the process environment (injected by tests).
 */
export function azureAuthFrom(storage: Readonly<Pick<StorageSection, 'storage_provider' | 'key_file'>>, env: NodeJS.ProcessEnv = process.env): AzureAuth | ConfigProblem {
  if (storage.key_file) return { kind: 'shared-key', keyFile: storage.key_file };
  const account = env[ACCOUNT_ENV]?.trim() ?? '';
  const provider = storage.storage_provider;
  if (account === '') {
    return {
      section: 'storage',
      key: 'key_file',
      message: `${provider}: not set, so default Azure credentials are used, and they need the storage account name in the ${ACCOUNT_ENV} environment variable, which is not set (or set key_file to a JSON file {"storage_account": ..., "key": ...})`,
    };
  }
  if (!ACCOUNT_NAME.test(account)) {
    return {
      section: 'storage',
      key: 'key_file',
      message: `${provider}: not set, and ${ACCOUNT_ENV} (${JSON.stringify(account)}) is not a storage account name (letters, digits and '-' only)`,
    };
  }
  return { kind: 'default-credential', account };
}

/** True when `value` is a problem rather than an authentication. */
export function isAuthProblem(value: AzureAuth | ConfigProblem): value is ConfigProblem {
  return 'message' in value;
}
