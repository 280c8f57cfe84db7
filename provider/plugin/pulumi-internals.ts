/**
 * Modules of @pulumi/pulumi that its public API does not export (the gRPC library it serves with,
 * its generated protocol, its argument parser), loaded from its own installation: a second copy's
 * classes would not be the ones its `main` uses.
 */
import * as path from "node:path";

const pulumiRoot = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/** `require(id)` as @pulumi/pulumi itself resolves it. */
export function fromPulumi(id: string) {
  return require(require.resolve(id, { paths: [pulumiRoot] }));
}
