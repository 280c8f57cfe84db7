import { expect } from "chai";

/** The error `fn` throws (the test fails if it throws none). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  return expect.fail("expected an error");
}

/** The rejection of `promise` (the test fails if it resolves). */
export function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e as Error,
  );
}
