// One connector, one definition (provider/connector/definition.ts): everything derived from it agrees
// with it — the files `npm run generate` writes (the TypeScript resource's Args and outputs, the
// reference's tables), the package schema and the generated SDK's class, check, the create body,
// the stored outputs and getConnector(s)' answers. A property added to the definition and missed
// by any of these fails here; a property without a check does not compile.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import { generatedFiles } from "pulumi-intune-domain-join/internal/codegen/index";
import {
  CONNECTOR_PROPERTIES,
  INPUT_PROPERTIES,
  MANAGED_PROPERTIES,
  OUTPUT_PROPERTIES,
  inputDefinition,
  type InputPropertyDefinition,
} from "pulumi-intune-domain-join/internal/connector/definition";
import { checkInputs } from "pulumi-intune-domain-join/internal/connector/check";
import { createBody } from "pulumi-intune-domain-join/internal/connector/diff";
import { toInfo, toOutputs } from "pulumi-intune-domain-join/internal/connector/outputs";
import { packageSchema } from "pulumi-intune-domain-join/internal/plugin/schema";

const ROOT = path.join(__dirname, "..", "..", "..");

// A definition of an input without its check must not compile: if the type ever allowed it, this
// directive would be unused, and the build fails.
// @ts-expect-error an input property needs its check
const withoutCheck: InputPropertyDefinition = { type: "string", role: "managed", description: "x" };
void withoutCheck;

/** The names a TypeScript class or interface declares, read from its source. */
function declared(source: string, pattern: RegExp): string[] {
  return [...source.matchAll(pattern)].map((m) => m[1]).sort();
}

/** The body of `interface <name> {…}` in a source. */
function interfaceBody(source: string, name: string): string {
  const start = source.indexOf(`export interface ${name} {`);
  expect(start, `interface ${name}`).to.be.greaterThan(-1);
  return source.slice(start, source.indexOf("\n}", start));
}

describe("one connector, one definition", () => {
  it("the committed generated files are what the definition renders now (npm run generate)", async () => {
    const format = async (text: string, filepath: string) =>
      prettier.format(text, { ...(await prettier.resolveConfig(filepath)), filepath });
    const files = await generatedFiles(ROOT, format);
    expect(files.map((f) => f.path)).to.deep.equal([
      "provider/connector/resource-types.ts",
      "docs/reference.md",
    ]);
    // Mutation testing's sandbox marks every provider source `// @ts-nocheck`; that line is not the file's.
    const committed = (file: string) =>
      readFileSync(path.join(ROOT, file), "utf8").replace(/^\/\/ @ts-nocheck\n/, "");
    const stale = files.filter((f) => committed(f.path) !== f.text).map((f) => f.path);
    expect(stale, "out of date: run npm run generate and commit").to.deep.equal([]);
  });

  it("the TypeScript resource and the generated SDK's class declare the same inputs and outputs", () => {
    const ours = readFileSync(path.join(ROOT, "provider", "connector", "resource-types.ts"), "utf8");
    const sdk = readFileSync(path.join(ROOT, "sdk", "nodejs", "domainJoinConnector.ts"), "utf8");
    const output = /declare public (?:\/\*out\*\/ )?readonly (\w+):/g;
    const input = /^\s+(\w+)\??: pulumi\.Input</gm;
    expect(declared(ours, output), "outputs").to.deep.equal(declared(sdk, output));
    expect(declared(ours, output)).to.deep.equal([...OUTPUT_PROPERTIES].sort());
    const args = "DomainJoinConnectorArgs";
    expect(declared(interfaceBody(ours, args), input), "Args").to.deep.equal(
      declared(interfaceBody(sdk, args), input),
    );
    expect(declared(interfaceBody(ours, args), input)).to.deep.equal([...INPUT_PROPERTIES].sort());
  });

  it("the package schema declares each property as the definition does", () => {
    const resource = (
      packageSchema("0.0.0") as {
        resources: Record<
          string,
          {
            inputProperties: Record<string, { type: string; replaceOnChanges?: boolean }>;
            properties: Record<string, { type: string }>;
          }
        >;
      }
    ).resources["intune:index:DomainJoinConnector"];
    for (const [name, definition] of Object.entries(CONNECTOR_PROPERTIES)) {
      const input = resource.inputProperties[name];
      if (definition.role === "output") expect(input, name).to.equal(undefined);
      else {
        expect(input?.type, name).to.equal(definition.type);
        expect(Boolean(input?.replaceOnChanges), name).to.equal("replaceOnChanges" in definition);
      }
      expect(resource.properties[name]?.type, name).to.equal(
        "output" in definition ? definition.type : undefined,
      );
    }
  });

  it("check refuses a value of the wrong type for every input, naming the property", () => {
    for (const name of INPUT_PROPERTIES) {
      const wrong = inputDefinition(name).type === "boolean" ? "yes" : 42;
      const failures = checkInputs({ displayName: "ODJ Paris", [name]: wrong }).failures;
      expect(
        failures.map((f) => f.property),
        name,
      ).to.deep.equal([name]);
      expect(failures[0].reason, name).to.contain(name);
    }
  });

  it("a create sends every managed property the stack declares, and nothing else", () => {
    const declaredValues = { displayName: "ODJ Paris", version: "6.2504.2001.8" };
    expect(Object.keys(declaredValues).sort()).to.deep.equal([...MANAGED_PROPERTIES].sort());
    const body = createBody(declaredValues);
    expect(body).to.deep.equal({
      "@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector",
      ...declaredValues,
    });
  });

  it("state stores every output; getConnector(s) return each connector's Graph properties", () => {
    const connector = {
      id: "8c39f54e-6512-4a2f-bd3a-2cb66d02f722",
      displayName: "ODJ Paris",
      version: "6.2504.2001.8",
      state: "active",
      lastConnectionDateTime: "2026-12-01T10:00:00Z",
    };
    const outputs = toOutputs(connector, {
      adopted: true,
      deleteOnDestroy: false,
      registeredName: "SRV01",
      tenantId: "4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83",
      cloud: "global",
    });
    expect(Object.keys(outputs).sort()).to.deep.equal([...OUTPUT_PROPERTIES].sort());
    expect(outputs).to.include({ connectorId: connector.id, displayName: "ODJ Paris", adopted: true });
    expect(toInfo(connector)).to.deep.equal(connector);
  });
});
