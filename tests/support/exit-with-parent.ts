/**
 * Preloaded (`node --require`) into a server a test starts as a child process: it exits when its
 * stdin closes, which happens when the parent ends it or dies, even of a signal that runs no exit
 * handler. So a test run that is killed leaves no server behind, nor, when EXIT_WITH_PARENT_REMOVE
 * names it, the server's scratch folder.
 */
import { rmSync } from "node:fs";

const scratch = process.env.EXIT_WITH_PARENT_REMOVE;
const exit = () => {
  try {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  } catch {
    // Windows keeps a running process's working folder: the parent's stop removes it then
  }
  process.exit(0);
};
process.stdin.on("end", exit);
process.stdin.on("error", exit);
process.stdin.resume();
