// Test helper: `fn` throws an error of class `cls` (a SoftcotError, as every bad-input error in the model package is)
// whose message contains every string and matches every pattern given.
import { expect } from 'vitest';
import { SoftcotError } from '../src/errors';

export function expectError<E extends Error>(fn: () => unknown, cls: new (...args: never[]) => E, ...parts: (string | RegExp)[]): E {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(SoftcotError);
  const msg = (err as Error).message;
  for (const p of parts) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
  return err as E;
}
