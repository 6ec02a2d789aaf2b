/**
 * The pages of `source` in order, the next one already being fetched while the caller writes this one.
 * A fetch that fails is thrown where its page would have been, so every earlier page is written first.
 */
export async function* readingAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  let done = false;
  try {
    for (;;) {
      const result = await next;
      if (result.done) {
        done = true;
        return;
      }
      next = it.next();
      // Awaited on the next turn; until then a rejection must not count as unhandled.
      next.catch(() => undefined);
      yield result.value;
    }
  } catch (err) {
    done = true;
    throw err;
  } finally {
    // The caller stopped early (a page failed to write): close the source once its read settles.
    if (!done)
      void next
        .then(
          () => it.return?.(),
          () => undefined,
        )
        .catch(() => undefined);
  }
}
