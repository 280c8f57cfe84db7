/**
 * Preloaded (`node --require`) into a server a test starts as a child process: it exits when its
 * stdin closes, which happens when the parent ends it or dies, even of a signal that runs no exit
 * handler. So a test run that is killed leaves no server behind.
 */
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
