/**
 * Every TypeScript snippet in the README and the docs, taken from the Markdown as a reader copies
 * it: each compiles against the packages (strict), and each that is a Pulumi program lives its
 * whole life with the real CLI against the emulator — up, a no-op preview and up, refresh, a
 * change, up, destroy — so a documented program that works once and breaks later cannot land.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Emulator, type ConnectorRecord } from "intune-graph-emulator";
import {
  ProgramCopy,
  REPO_ROOT,
  connectionEnv,
  copyProgram,
  writes,
  runLogged,
} from "intune-test-support/e2e";
import { startTestEmulator } from "intune-test-support/emulator";

interface Snippet {
  /** e.g. "README.md #1" */
  where: string;
  code: string;
}

/** The Markdown files whose snippets a reader copies. */
function documents(): string[] {
  const docs = readdirSync(path.join(REPO_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`);
  const examples = readdirSync(path.join(REPO_ROOT, "examples"))
    .map((d) => `examples/${d}/README.md`)
    .filter((f) => existsSync(path.join(REPO_ROOT, f)));
  return ["README.md", ...docs, ...examples, "emulator/README.md", "policy/README.md"];
}

export function snippetsOf(file: string, text: string): Snippet[] {
  const found: Snippet[] = [];
  const fence = /^```(ts|typescript)\s*\n([\s\S]*?)^```\s*$/gm;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    found.push({ where: `${file} #${found.length + 1}`, code: match[2] });
  }
  return found;
}

const SNIPPETS = documents().flatMap((file) =>
  snippetsOf(file, readFileSync(path.join(REPO_ROOT, file), "utf8")),
);

/** A Pulumi program: it declares resources or reads the tenant through the provider package. */
const isProgram = (s: Snippet) =>
  /from "pulumi-intune-domain-join"/.test(s.code) && !/\bawait\b/.test(s.code);

/** The tenant every snippet's names refer to. */
const TENANT: Partial<ConnectorRecord>[] = [
  { id: "8c39f54e-6512-4a2f-bd3a-2cb66d02f722", displayName: "ODJ-HQ-SRV01", version: "6.2504.2001.8" },
  { displayName: "ODJ Connector – Paris", version: "6.2504.2001.8" },
  { displayName: "ODJ-PARIS-SRV01", version: "6.2504.2001.8" },
  { displayName: "ODJ-OLD-DC", version: "6.2409.1000.1" },
];

describe("the README's and the docs' TypeScript snippets", function () {
  this.timeout(300_000);

  it("are found (a fence the extraction misses would go untested)", () => {
    expect(SNIPPETS.length).to.be.greaterThanOrEqual(4);
    expect(SNIPPETS.filter(isProgram).length).to.be.greaterThanOrEqual(3);
  });

  it("each compiles, strict, against the packages as a user installs them", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "intune-snippets-"));
    try {
      symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
      const files = SNIPPETS.map((s, i) => {
        const file = `snippet-${i + 1}.ts`;
        writeFileSync(path.join(dir, file), `// ${s.where}\n${s.code}`);
        return file;
      });
      writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: "es2022",
            module: "es2022",
            moduleResolution: "bundler",
            moduleDetection: "force",
            types: ["node"],
            skipLibCheck: true,
          },
          files,
        }),
      );
      const tsc = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", dir],
        {
          encoding: "utf8",
        },
      );
      const explained = tsc.stdout.replace(
        /[^\s(]*snippet-(\d+)\.ts/g,
        (_m, n) => SNIPPETS[Number(n) - 1].where,
      );
      expect(tsc.status, explained).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const snippet of SNIPPETS.filter(isProgram)) {
    describe(`${snippet.where}, as a Pulumi program with the real CLI`, () => {
      let emulator: Emulator;
      let copy: ProgramCopy;
      let source: string;
      const stack = "snippet";
      const readsTenant = /getConnectors?\(/.test(snippet.code);

      before(async () => {
        emulator = await startTestEmulator({ seed: TENANT });
        source = mkdtempSync(path.join(tmpdir(), "intune-snippet-program-"));
        writeFileSync(path.join(source, "Pulumi.yaml"), "name: snippet\nruntime: nodejs\nmain: index.ts\n");
        writeFileSync(path.join(source, "index.ts"), snippet.code);
        copy = copyProgram(source, connectionEnv(emulator));
        await copy.project.initStack(stack, {}, { "intune:clientSecret": emulator.app("writer").secret });
      });
      after(async () => {
        copy?.cleanup();
        rmSync(source, { recursive: true, force: true });
        await emulator?.close();
      });

      const run = (args: string[]) => runLogged(copy, emulator, stack, args);

      it("up, then a preview and an up that change nothing and write nothing", async () => {
        await run(["up", "--yes", "--skip-preview"]);
        await run(["preview", "--expect-no-changes"]);
        // Only a program that reads the tenant (getConnector, getConnectors) asks Graph in a preview.
        expect(emulator.summary().GET > 0).to.equal(readsTenant);
        await run(["up", "--yes", "--skip-preview"]);
        expect(writes(emulator)).to.equal(0);
      });

      it("refresh writes nothing; a change of its first display name is one write; destroy ends it", async () => {
        await run(["refresh", "--yes", "--skip-preview"]);
        expect(writes(emulator)).to.equal(0);
        const renamed = snippet.code.replace(/displayName: "([^"]+)"/, 'displayName: "$1 (renamed)"');
        if (renamed !== snippet.code) {
          writeFileSync(path.join(copy.dir, "index.ts"), renamed);
          await run(["up", "--yes", "--skip-preview"]);
          expect(emulator.summary().PATCH).to.equal(1);
          await run(["preview", "--expect-no-changes"]);
        }
        await run(["destroy", "--yes", "--skip-preview"]);
        // Adopted connectors stay (released); the connectors the snippet created are gone.
        expect(emulator.connectors()).to.have.length(TENANT.length);
      });
    });
  }
});
