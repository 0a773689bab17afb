import { TestScheduler } from 'rxjs/testing';
import { ArgumentError } from '../core/errors.js';

/**
 * A marble values map that gives the letters of `marbles`, in the order they first appear,
 * the items in order: the first letter the first item, the second the second… Marble syntax
 * (`-`, `|`, `#`, `()`, `^`, `!`, spaces, time progressions such as `10ms`) is skipped, so the
 * diagram itself can be passed. Items beyond the letters are left out.
 *
 * @example
 * const frames = videoFrames(3); // 30 fps
 * const source = cold('a 32ms b 32ms c|', marbleValues('abc', frames));
 * expectObservable(source.pipe(op)).toBe('10ms a 32ms b 32ms c|', marbleValues('abc', frames));
 *
 * @param marbles - a marble diagram, or just its letters.
 * @param items - the values, in the order of the letters.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when there are more letters than items.
 */
export function marbleValues<T>(marbles: string, items: readonly T[]): Record<string, T> {
  const letters: string[] = [];
  for (const message of TestScheduler.parseMarbles(marbles, undefined, undefined, undefined, true)) {
    const { notification } = message;
    if (notification.kind === 'N' && !letters.includes(notification.value as string)) letters.push(notification.value as string);
  }
  if (letters.length > items.length) throw new ArgumentError(`${letters.length} letters (${letters.join('')}) but ${items.length} items`);
  const values: Record<string, T> = {};
  letters.forEach((letter, i) => (values[letter] = items[i]!));
  return values;
}
