// `node bench/plugin-start.mjs [runs]`: how long the intune plugin takes to start, from spawn to
// the gRPC port it prints (what the engine waits for before its first call), over several runs.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bootstrap, root } from "../scripts/bootstrap.mjs";

bootstrap(fileURLToPath(import.meta.url));
const runs = Number(process.argv[2] ?? 10);
const main = join(root, "provider", "dist", "plugin", "main.js");

function once() {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [main], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.once("data", (chunk) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!/^\d+\s*$/.test(String(chunk))) reject(new Error(`not a port: ${chunk}`));
      child.kill();
      resolve(ms);
    });
    child.on("error", reject);
  });
}

const times = [];
for (let i = 0; i < runs; i++) times.push(await once());
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  `plugin start (spawn → port), ${runs} runs: median ${median.toFixed(0)} ms, ` +
    `min ${times[0].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms (Node ${process.versions.node})`,
);
