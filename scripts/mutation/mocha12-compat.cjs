// Loaded with NODE_OPTIONS=--require by scripts/mutation.mjs, in Stryker and its workers.
// @stryker-mutator/mocha-runner 10.0.0 requires Mocha's cli internals without an extension
// (lib/cli/run-helpers, lib/cli/options, lib/cli/collect-files); Mocha 12 ships them as .cjs, so
// the plugin fails to load ("no TestRunner plugins were loaded"). Until the fix
// (stryker-js pull request 6205) is released, this resolve hook adds the extension to those three.
const { registerHooks } = require("node:module");

const MOCHA_CLI_INTERNAL = /[\\/]mocha[\\/]lib[\\/]cli[\\/](run-helpers|options|collect-files)$/;

registerHooks({
  resolve(specifier, context, nextResolve) {
    return nextResolve(MOCHA_CLI_INTERNAL.test(specifier) ? `${specifier}.cjs` : specifier, context);
  },
});
