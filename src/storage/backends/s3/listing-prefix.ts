/**
 * The prefix sent with a listing. A prefix is a plain string (see the port's contract), but MinIO
 * refuses one whose last path segment is `.` or `..` ("XMinioInvalidResourceName"), such as
 * `…/users-<id>/.`, the start of the hidden secondary-index folders. Such a listing asks for the
 * folder above instead; the caller keeps the keys that start with the real prefix.
 */

/** The prefix to send for a listing of `prefix`: `prefix` itself, or its folder when MinIO would refuse it. */
export function listingPrefix(prefix: string): string {
  const cut = prefix.lastIndexOf('/') + 1;
  const last = prefix.slice(cut);
  return last === '.' || last === '..' ? prefix.slice(0, cut) : prefix;
}
