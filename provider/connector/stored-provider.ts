/**
 * The dynamic provider as Pulumi stores it in state. This module's exports object *is* the
 * provider, so where the package is installed under `node_modules/`, Pulumi's serializer stores a
 * `require("pulumi-intune-domain-join/stored-provider")` (about 0.3 KB) instead of code (about
 * 2.1 KB), twice per resource. Each method requires the implementation only when it runs: the
 * program never loads it, and fixes to it reach existing stacks without a diff.
 *
 * A package linked outside `node_modules/` (a workspace, `npm link`) is stored by value: then the
 * few lines below are what lands in state, with nothing captured (no secret can leak through it).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

type Method = keyof dynamic.ResourceProvider;

// Stryker disable all: stored by value in the repository's own stacks; mutation testing's
// instrumentation here would land in the serialized text.
function call(method: Method, args: unknown[]): Promise<never> {
  return require("pulumi-intune-domain-join/provider-implementation").provider[method](...args);
}

export const configure = (...a: unknown[]) => call("configure", a);
export const check = (...a: unknown[]) => call("check", a);
export const diff = (...a: unknown[]) => call("diff", a);
export const create = (...a: unknown[]) => call("create", a);
export const read = (...a: unknown[]) => call("read", a);
export const update = (...a: unknown[]) => call("update", a);
// `delete` is a keyword; the export keeps the provider method's name.
const remove = (...a: unknown[]) => call("delete", a);
export { remove as delete };
// Stryker restore all
