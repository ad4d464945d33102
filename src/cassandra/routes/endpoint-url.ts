/** `[kubernetes] cassandra_url` as the HTTP routes need it: present and a valid http(s) URL. */
import { OperationError } from '../../util/errors.js';

/**
 * Parses `cassandra_url`; `OperationError` naming the key when it is unset or not an http(s)
 * URL. `what` says which endpoint the route expects there, for the message.
 */
export function endpointUrl(value: string | undefined, what: string): URL {
  if (value === undefined || value.trim() === '') {
    throw new OperationError(`[kubernetes] cassandra_url is not set: snapshots in Kubernetes mode go to ${what}`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new OperationError(`[kubernetes] cassandra_url: not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OperationError(`[kubernetes] cassandra_url: ${url.protocol} is not http: or https:`);
  }
  return url;
}

/** A server's answer body on one line, shortened, for an error message. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}
