// The provider's layers, lowest first: the pure files (PURE: logic/, version.ts, and the pure half of
// each feature — the connector's definition, checks, diff, ownership and outputs, the health rules
// and report, the doctor's checks, the repair decisions, the inventory's filter, the fleet's file,
// templates, shards, pool, outcomes, summaries and resume) ← config/ ←
// {auth/, graph/} ← connection.ts ← everything else (the connector's provider and resource, the
// commands, state/, plugin/, codegen/, the package's entry points). Folders are features; purity is
// this file list. A module imports only from its own layer or lower ones; auth/ and graph/ are
// siblings that never import each other; and no import cycle, anywhere. Read from the sources
// (docs/architecture.md, "Layers").
import { expect } from "chai";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";

const PROVIDER = path.join(__dirname, "..", "..", "..", "provider");

interface Layer {
  name: string;
  /** Position in the chain: 0 is the lowest. */
  rank: number;
}

/** The pure files, by folder or by name: no I/O, no Pulumi, no Graph client. */
const PURE = [
  "logic/",
  "version.ts",
  ...["definition", "values", "check", "diff", "ownership", "outputs", "constants"].map(
    (f) => `connector/${f}.ts`,
  ),
  ...["versions", "options", "domains", "rules", "report"].map((f) => `health/${f}.ts`),
  "doctor/checks.ts",
  "repair/decisions.ts",
  "inventory/filter.ts",
  ...[
    "connector-entries",
    "health-config",
    "fleet-file",
    "template",
    "shard",
    "pool",
    "outcome",
    "summary",
    "resume",
  ].map((f) => `fleet/${f}.ts`),
];

/** The top layer: what joins the layers below for Pulumi, a command or a program. */
const TOP = [
  "connector/",
  "health/",
  "doctor/",
  "repair/",
  "inventory/",
  "state/",
  "plugin/",
  "codegen/",
  "fleet/",
];
const ENTRY_POINTS = ["index.ts", "errors.ts", "rules.ts"];

/** The layer of a provider source file (a path relative to provider/, with "/"), if it has one. */
function layerOf(file: string): Layer | undefined {
  const listed = (entries: readonly string[]) =>
    entries.some((entry) => (entry.endsWith("/") ? file.startsWith(entry) : file === entry));
  if (listed(PURE)) return { name: "pure", rank: 0 };
  const folder = file.includes("/") ? file.slice(0, file.indexOf("/")) : undefined;
  if (folder === "config") return { name: "config", rank: 1 };
  // Siblings: one rank, two names.
  if (folder === "auth" || folder === "graph") return { name: folder, rank: 2 };
  if (file === "connection.ts") return { name: "connection", rank: 3 };
  if (listed(TOP)) return { name: folder as string, rank: 4 };
  if (listed(ENTRY_POINTS)) return { name: "package API", rank: 4 };
  return undefined;
}

/** An import of one provider file by another, both relative to provider/. */
interface Edge {
  from: string;
  to: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return ["dist", "node_modules"].includes(entry.name) ? [] : sources(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

const STATEMENTS = [
  // import x from "…", import { a, type B } from "…", import type … from "…", import * as m from "…"
  /^\s*import\s[^;"'`]*?\bfrom\s*["']([^"']+)["']/gm,
  // import "…" (for its effects)
  /^\s*import\s*["']([^"']+)["']/gm,
  // export { a } from "…", export type { A } from "…", export * from "…"
  /^\s*export\s[^;"'`=(]*?\bfrom\s*["']([^"']+)["']/gm,
];
// Anywhere in code: require("…") (inventory.ts loads connection.ts lazily), import("…") and
// `typeof import("…")`.
const CALLS = /\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g;

/** The module specifiers a source names: import and export statements, require and import() calls. */
function specifiers(text: string): string[] {
  const found = STATEMENTS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]));
  for (const line of text.split("\n")) {
    const code = line.trimStart();
    // Prose in comments names modules too; it imports nothing.
    if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) continue;
    found.push(...[...line.matchAll(CALLS)].map((m) => m[1]));
  }
  return found;
}

const manifest = JSON.parse(readFileSync(path.join(PROVIDER, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, string | { default: string }>;
};

/** What the package exports under a subpath ("./rules", "./internal/x"), as built: "./dist/….js". */
function exported(subpath: string): string | undefined {
  const built = (entry: string | { default: string }) => (typeof entry === "string" ? entry : entry.default);
  if (manifest.exports[subpath]) return built(manifest.exports[subpath]);
  for (const [key, entry] of Object.entries(manifest.exports)) {
    const prefix = key.slice(0, -1);
    if (key.endsWith("/*") && subpath.startsWith(prefix))
      return built(entry).replace("*", subpath.slice(prefix.length));
  }
  return undefined;
}

/**
 * The provider file a specifier names, relative to provider/: by a relative path, or by the
 * package's own name (stored-provider.ts requires the implementation so) through its "exports",
 * from dist/ back to the source. Undefined for other packages; "?specifier" when it names no file.
 */
function resolve(from: string, specifier: string): string | undefined {
  let target: string;
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    target = path.join(PROVIDER, path.dirname(from), specifier);
  } else if (specifier === manifest.name || specifier.startsWith(manifest.name + "/")) {
    const built = exported("." + specifier.slice(manifest.name.length));
    if (!built) return `?${specifier}`;
    target = path.join(PROVIDER, built.replace(/^\.\/dist\//, ""));
  } else {
    return undefined;
  }
  target = target.replace(/\.js$/, "");
  const file = [target + ".ts", path.join(target, "index.ts")].find((candidate) => existsSync(candidate));
  return file ? path.relative(PROVIDER, file).split(path.sep).join("/") : `?${specifier}`;
}

/** Every import between the provider's own files. */
function providerEdges(): { files: string[]; edges: Edge[] } {
  const files = sources(PROVIDER).map((f) => path.relative(PROVIDER, f).split(path.sep).join("/"));
  const edges: Edge[] = [];
  for (const from of files) {
    for (const specifier of specifiers(readFileSync(path.join(PROVIDER, from), "utf8"))) {
      const to = resolve(from, specifier);
      if (to !== undefined && !edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to });
    }
  }
  return { files, edges };
}

/** The imports against the layers, one line each: upward, between siblings, of an unknown file. */
function layerOffences(files: readonly string[], edges: readonly Edge[]): string[] {
  const offences: string[] = [];
  for (const file of files) {
    if (!layerOf(file)) offences.push(`${file} is in no layer: place it in the chain (layers.test.ts)`);
  }
  for (const { from, to } of edges) {
    if (to.startsWith("?")) {
      offences.push(`${from} → ${to.slice(1)}: names no file of the provider`);
      continue;
    }
    const a = layerOf(from);
    const b = layerOf(to);
    if (!a || !b) continue;
    if (b.rank > a.rank) offences.push(`${from} → ${to}: ${a.name} imports from ${b.name}, a higher layer`);
    else if (b.rank === a.rank && a.rank === 2 && a.name !== b.name) {
      offences.push(`${from} → ${to}: ${a.name} imports from its sibling ${b.name}`);
    }
  }
  return offences;
}

/** Each import cycle (depth-first search), as `a → b → … → a`, once however many edges reach it. */
function cycles(edges: readonly Edge[]): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const done = new Set<string>();
  const stack: string[] = [];
  const found = new Set<string>();
  const visit = (file: string): void => {
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      const at = stack.indexOf(to);
      if (at >= 0) {
        const loop = stack.slice(at);
        // One form per cycle: started at its least file.
        const start = loop.indexOf([...loop].sort()[0]);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        found.add([...rotated, rotated[0]].join(" → "));
      } else if (!done.has(to)) {
        visit(to);
      }
    }
    stack.pop();
    done.add(file);
  };
  for (const file of [...next.keys()].sort()) if (!done.has(file)) visit(file);
  return [...found];
}

function expectNone(offences: string[], what: string): void {
  if (offences.length) expect.fail(`${offences.length} ${what}:\n  ${offences.join("\n  ")}`);
}

describe("layers of the provider", () => {
  const { files, edges } = providerEdges();

  it("imports only from its own layer or a lower one, auth/ and graph/ never from each other", () => {
    expectNone(layerOffences(files, edges), "import(s) against the layers");
  });

  it("keeps the pure files pure: they import no package and no Node module (version.ts reads its package.json)", () => {
    const impure = files
      .filter((file) => layerOf(file)?.name === "pure" && file !== "version.ts")
      .flatMap((file) =>
        specifiers(readFileSync(path.join(PROVIDER, file), "utf8"))
          .filter((specifier) => !specifier.startsWith("./") && !specifier.startsWith("../"))
          .map((specifier) => `${file} imports ${specifier}`),
      );
    expectNone(impure, "import(s) of I/O in pure files");
    expect(files.filter((file) => layerOf(file)?.name === "pure")).to.include.members([
      "connector/definition.ts",
      "health/rules.ts",
      "repair/decisions.ts",
    ]);
  });

  it("has no import cycle", () => {
    expectNone(cycles(edges), "import cycle(s)");
  });

  it("reads every kind of import: import type, export … from, require, and by the package's own name", () => {
    const has = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
    expect(has("connector/create-journal.ts", "repair/decisions.ts"), "import type").to.equal(true);
    expect(has("index.ts", "logic/clouds.ts"), "export … from").to.equal(true);
    expect(has("inventory/lookup.ts", "connection.ts"), "require").to.equal(true);
    expect(has("connector/stored-provider.ts", "connector/provider.ts"), "package name").to.equal(true);
    expect(files).to.include.members(["connection.ts", "graph/policies/token.ts"]);
    expect(files.some((f) => f.startsWith("dist/"))).to.equal(false);
  });

  it("names each offence: an upward import, a sibling import, a file in no layer, a cycle", () => {
    const made: Edge[] = [
      { from: "logic/a.ts", to: "config/b.ts" },
      { from: "auth/c.ts", to: "graph/d.ts" },
      { from: "graph/d.ts", to: "graph/e.ts" },
      { from: "graph/e.ts", to: "graph/d.ts" },
      { from: "config/b.ts", to: "?./missing" },
    ];
    const files = ["logic/a.ts", "config/b.ts", "auth/c.ts", "graph/d.ts", "graph/e.ts", "stray.ts"];
    expect(layerOffences(files, made)).to.deep.equal([
      "stray.ts is in no layer: place it in the chain (layers.test.ts)",
      "logic/a.ts → config/b.ts: pure imports from config, a higher layer",
      "auth/c.ts → graph/d.ts: auth imports from its sibling graph",
      "config/b.ts → ./missing: names no file of the provider",
    ]);
    expect(cycles(made)).to.deep.equal(["graph/d.ts → graph/e.ts → graph/d.ts"]);
  });
});

// The emulator stands in for the services the provider calls. Where it needs what the provider also
// knows (the clouds, the connector's states, its OData type), it restates it from Microsoft's
// sources: a test double built from the provider's own tables would agree with their mistakes. So
// nothing in emulator/ imports from provider/, by a relative path or by the package's name.
const EMULATOR = path.join(__dirname, "..", "..", "..", "emulator");

/** Each import in an emulator source (`file` relative to emulator/, with "/") that reaches the provider. */
function providerImports(file: string, text: string): string[] {
  return specifiers(text)
    .filter((specifier) => {
      if (specifier.startsWith("./") || specifier.startsWith("../")) {
        const inProvider = path.relative(PROVIDER, path.resolve(EMULATOR, path.dirname(file), specifier));
        return !inProvider.startsWith("..") && !path.isAbsolute(inProvider);
      }
      return specifier === manifest.name || specifier.startsWith(manifest.name + "/");
    })
    .map(
      (specifier) =>
        `emulator/${file} imports "${specifier}": the emulator restates what it needs (docs/emulator.md)`,
    );
}

describe("independence of the emulator", () => {
  const files = sources(EMULATOR).map((f) => path.relative(EMULATOR, f).split(path.sep).join("/"));

  it(`imports nothing from provider/ or ${manifest.name}`, () => {
    const offences = files.flatMap((file) =>
      providerImports(file, readFileSync(path.join(EMULATOR, file), "utf8")),
    );
    expectNone(offences, "import(s) of the provider in emulator/");
  });

  it("reads every emulator source, and names each import of the provider: by path, by package name, by require", () => {
    expect(files).to.include.members(["server.ts", "clouds.ts", "connectors/model.ts", "graph/service.ts"]);
    expect(files.some((f) => f.startsWith("dist/"))).to.equal(false);
    const text = [
      'import { CLOUDS } from "../../provider/logic/clouds";',
      'import type { ConnectorState } from "pulumi-intune-domain-join/rules";',
      'const provider = require("pulumi-intune-domain-join");',
      'export { STATES } from "../provider-like";',
      'import { isGuid } from "../ids";',
      'import policy from "pulumi-intune-domain-join-policy";',
    ].join("\n");
    expect(providerImports("graph/x.ts", text)).to.deep.equal([
      'emulator/graph/x.ts imports "../../provider/logic/clouds": the emulator restates what it needs (docs/emulator.md)',
      'emulator/graph/x.ts imports "pulumi-intune-domain-join/rules": the emulator restates what it needs (docs/emulator.md)',
      'emulator/graph/x.ts imports "pulumi-intune-domain-join": the emulator restates what it needs (docs/emulator.md)',
    ]);
    expect(providerImports("x.ts", 'import { y } from "../provider";')).to.have.length(1);
  });
});
