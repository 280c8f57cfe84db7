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
