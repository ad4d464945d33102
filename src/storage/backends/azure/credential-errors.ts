/**
 * @azure/identity failures (no token could be obtained) turned into one line an operator can act
 * on. The library's own messages span several lines, one per source DefaultAzureCredential tried,
 * each with a troubleshooting link; we keep each source's first sentences and drop the links.
 * Recognised by error name, so this module does not load @azure/identity.
 */

/** Names of the errors @azure/identity throws from `getToken`. */
const CREDENTIAL_ERRORS = new Set(['AggregateAuthenticationError', 'CredentialUnavailableError', 'AuthenticationError', 'AuthenticationRequiredError']);

/** Longest text kept from one source's answer. */
const MAX_REASON = 200;

interface CredentialErrorShape {
  name: string;
  message?: string;
  /** AggregateAuthenticationError: what each source of the chain answered. */
  errors?: unknown[];
}

/** True when `err` comes from a credential failing to give a token. */
export function isCredentialError(err: unknown): err is CredentialErrorShape {
  return typeof err === 'object' && err !== null && CREDENTIAL_ERRORS.has((err as { name?: unknown }).name as string);
}

/** Sentences that only point elsewhere (links, "Ensure ...", "To troubleshoot ..."). */
function isAdvice(sentence: string): boolean {
  return /https?:\/\/|^(Ensure|Please|To troubleshoot|To mitigate|For more)\b/i.test(sentence);
}

/**
 * One source's answer as a short phrase: whitespace collapsed, advice and links dropped, the
 * `Message`/`Error:` fillers the library inserts removed, capped in length.
 */
export function credentialReason(text: string): string {
  const sentences = text
    .replace(/\s+/g, ' ')
    .trim()
    .split(/(?<=\.)\s+/)
    .map((s) => s.replace(/^(Message|Error:)\s+/, ''))
    .filter((s) => s !== '' && !isAdvice(s));
  const kept = sentences.slice(0, 2).join(' ').replace(/[.,]+$/, '');
  return kept.length > MAX_REASON ? `${kept.slice(0, MAX_REASON - 3)}...` : kept || 'no details given';
}

/** The operator's line for a credential failure (without the provider and operation prefix). */
export function describeCredentialError(err: CredentialErrorShape): string {
  if (err.name === 'AggregateAuthenticationError') {
    const reasons = (err.errors ?? []).map((e) => credentialReason(e instanceof Error ? e.message : String(e)));
    return `no Azure credential available: key_file is not set and DefaultAzureCredential found none (${reasons.join('; ')})`;
  }
  if (err.name === 'CredentialUnavailableError') return `no Azure credential available: ${credentialReason(err.message ?? '')}`;
  return `the Azure credential could not get a token: ${credentialReason(err.message ?? '')}`;
}
