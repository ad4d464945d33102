/**
 * A backend that lists in pages (`StorageBackend.listPages`) gives its `list` from them: one
 * implementation of the listing, two shapes.
 */

/** Every item of `pages`, in order. */
export async function* flattenPages<T>(pages: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}
