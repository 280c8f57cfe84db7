/**
 * The generated SDKs (sdk/, `npm run sdks`): what is committed is what Pulumi's code generators make
 * of the provider's schema today, and each compiles here — nodejs with tsc and loads in Node, python
 * with py_compile, go with go build and go vet against github.com/pulumi/pulumi/sdk/v3 from the Go
 * module proxy. Their programs run in tests/e2e/second-run.test.ts (TypeScript) and plugin.test.ts;
 * the examples written on the nodejs SDK (examples/plugin-typescript, partner-tenants) compile here,
 * strict, against it, and run in second-run.test.ts and partner-tenants.test.ts.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "intune-test-support/e2e";
import { builtNodejsSdk } from "intune-test-support/plugin";

const SDK = path.join(REPO_ROOT, "sdk");
const GO = ["/usr/local/go/bin/go", "go"].find((go) => spawnSync(go, ["version"]).status === 0) ?? "go";

/** Every file under `dir`, relative, sorted. */
function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? files(full, base) : [path.relative(base, full)];
    })
    .sort();
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the generated SDKs (sdk/)", function () {
  this.timeout(600_000);

  it("are what the code generators make of the provider's schema now (npm run sdks)", () => {
    const fresh = mkdtempSync(path.join(tmpdir(), "intune-sdks-"));
    try {
      const result = run(
        process.execPath,
        [path.join(REPO_ROOT, "scripts/sdks.mjs"), "--out", fresh],
        REPO_ROOT,
      );
      expect(result.status, result.output).to.equal(0);
      expect(files(SDK), "files").to.deep.equal(files(fresh));
      const stale = files(SDK).filter(
        (file) => readFileSync(path.join(SDK, file), "utf8") !== readFileSync(path.join(fresh, file), "utf8"),
      );
      expect(stale, "out of date: run npm run sdks and commit sdk/").to.deep.equal([]);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("nodejs: compiles with the generated tsconfig (strict), and loads with the resource's type", () => {
    const built = builtNodejsSdk();
    const probe = run(
      process.execPath,
      [
        "-e",
        `const s = require(${JSON.stringify(built)}); console.log(s.DomainJoinConnector.__pulumiType, typeof s.getConnectors)`,
      ],
      REPO_ROOT,
      // Where a user's project has @pulumi/pulumi: beside the SDK, in its node_modules.
      { NODE_PATH: path.join(REPO_ROOT, "node_modules") },
    );
    expect(probe.status, probe.output).to.equal(0);
    expect(probe.output.trim()).to.equal("intune:index:DomainJoinConnector function");
    const version = JSON.parse(readFileSync(path.join(built, "package.json"), "utf8")).version;
    expect(version).to.equal(
      JSON.parse(readFileSync(path.join(REPO_ROOT, "provider/package.json"), "utf8")).version,
    );
  });

  it("nodejs: every example written on it compiles against it, strict, as a user's project does", () => {
    const built = builtNodejsSdk();
    const onSdk = readdirSync(path.join(REPO_ROOT, "examples"))
      .map((name) => path.join(REPO_ROOT, "examples", name))
      .filter((dir) => {
        const manifest = path.join(dir, "package.json");
        if (!existsSync(manifest)) return false;
        const { dependencies = {} } = JSON.parse(readFileSync(manifest, "utf8")) as {
          dependencies?: Record<string, string>;
        };
        return "@intune-odj/pulumi-intune" in dependencies;
      });
    expect(onSdk.map((dir) => path.basename(dir))).to.include.members([
      "plugin-typescript",
      "partner-tenants",
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), "intune-sdk-examples-"));
    try {
      const modules = path.join(REPO_ROOT, "node_modules");
      writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: "es2022",
            module: "node16",
            moduleResolution: "node16",
            // The SDK as npm installs it; its own import of @pulumi/pulumi is the program's copy.
            paths: {
              "@intune-odj/pulumi-intune": [built],
              "@pulumi/pulumi": [path.join(modules, "@pulumi/pulumi")],
            },
            typeRoots: [path.join(modules, "@types")],
            types: ["node"],
            skipLibCheck: true,
          },
          files: onSdk.map((example) => path.join(example, "index.ts")),
        }),
      );
      const tsc = run(process.execPath, [path.join(modules, "typescript/bin/tsc"), "-p", dir], REPO_ROOT);
      expect(tsc.status, tsc.output).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("python: every module compiles", () => {
    const modules = files(path.join(SDK, "python")).filter((file) => file.endsWith(".py"));
    expect(modules).to.include("pulumi_intune/domain_join_connector.py");
    const cache = mkdtempSync(path.join(tmpdir(), "intune-pycache-"));
    try {
      const result = run("python3", ["-m", "py_compile", ...modules], path.join(SDK, "python"), {
        PYTHONPYCACHEPREFIX: cache,
      });
      expect(result.status, result.output).to.equal(0);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("go: builds and vets against the pinned Pulumi Go SDK", () => {
    const env = { GOFLAGS: "-mod=readonly" };
    const build = run(GO, ["build", "./..."], path.join(SDK, "go"), env);
    expect(build.status, build.output).to.equal(0);
    const vet = run(GO, ["vet", "./..."], path.join(SDK, "go"), env);
    expect(vet.status, vet.output).to.equal(0);
  });

  it("reports each SDK's size", () => {
    for (const language of ["nodejs", "python", "go"]) {
      const all = files(path.join(SDK, language));
      const bytes = all.reduce((sum, file) => sum + statSync(path.join(SDK, language, file)).size, 0);
      console.log(`      ${language}: ${all.length} files, ${(bytes / 1024).toFixed(1)} KB`);
      expect(bytes).to.be.above(0);
    }
  });
});
