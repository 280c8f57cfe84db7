/**
 * The `intune` package schema and the plugin's config calls: the schema says what the provider
 * validates and stores (no property in one and not the other), secrets are marked, and a change of
 * provider config never replaces the provider (which would replace every connector it manages).
 */
import { expect } from "chai";
import { checkInputs } from "pulumi-intune-domain-join/internal/connector/check";
import { toOutputs } from "pulumi-intune-domain-join/internal/connector/outputs";
import { SETTINGS } from "pulumi-intune-domain-join/internal/config/settings";
import { packageSchema } from "pulumi-intune-domain-join/internal/plugin/schema";
import { configLookup } from "pulumi-intune-domain-join/internal/plugin/provider";
import { configHandlers } from "pulumi-intune-domain-join/internal/plugin/served-calls";
import {
  engineAddressOf,
  engineWarnings,
  stderrWarnings,
} from "pulumi-intune-domain-join/internal/plugin/engine-log";

interface Property {
  type?: string;
  secret?: boolean;
  description?: string;
  replaceOnChanges?: boolean;
  deprecationMessage?: string;
}
interface ResourceSpec {
  inputProperties: Record<string, Property>;
  requiredInputs: string[];
  properties: Record<string, Property>;
}
interface FunctionSpec {
  description: string;
  inputs: { properties: Record<string, Property> };
  outputs: { properties: Record<string, Property> };
}
const schema = packageSchema("1.2.3") as {
  name: string;
  version: string;
  config: { variables: Record<string, Property> };
  provider: { inputProperties: Record<string, Property> };
  resources: Record<string, ResourceSpec>;
  functions: Record<string, unknown>;
};
const connector = schema.resources["intune:index:DomainJoinConnector"];

describe("the intune package schema", () => {
  it("names the package, its one resource and its two functions, at the version asked", () => {
    expect(schema.name).to.equal("intune");
    expect(schema.version).to.equal("1.2.3");
    expect(Object.keys(schema.resources)).to.deep.equal(["intune:index:DomainJoinConnector"]);
    expect(Object.keys(schema.functions).sort()).to.deep.equal([
      "intune:index:getConnector",
      "intune:index:getConnectors",
    ]);
  });

  it("declares exactly the inputs check accepts, displayName required and state deprecated", () => {
    const inputs = Object.keys(connector.inputProperties);
    const accepted = Object.fromEntries(inputs.map((key) => [key, key === "displayName" ? "x" : undefined]));
    expect(checkInputs(accepted).failures).to.deep.equal([]);
    // A property check knows and the schema does not would be unreachable from YAML and the SDKs.
    const probe = checkInputs({ displayName: "x", notAProperty: 1 });
    expect(probe.failures.map((f) => f.property)).to.deep.equal(["notAProperty"]);
    expect(inputs.sort()).to.deep.equal([
      "allowDuplicateDisplayName",
      "connectorId",
      "deleteOnDestroy",
      "displayName",
      "registeredName",
      "state",
      "version",
    ]);
    expect(connector.requiredInputs).to.deep.equal(["displayName"]);
    // Accepted so that older programs run, and ignored with a warning: the schema says so.
    expect(connector.inputProperties.state.deprecationMessage).to.match(/^state is ignored/);
    expect(checkInputs({}).failures.map((f) => f.property)).to.include("displayName");
  });

  it("declares every output the provider stores, and marks the ids that replace", () => {
    const outputs = toOutputs(
      { id: "x", displayName: "a", version: "1.0", state: "active", lastConnectionDateTime: null },
      { adopted: true, deleteOnDestroy: false, registeredName: "b", tenantId: "t", cloud: "global" },
    );
    expect(Object.keys(connector.properties).sort()).to.deep.equal(Object.keys(outputs).sort());
    const replacing = Object.entries(connector.inputProperties).filter(([, p]) => p.replaceOnChanges);
    expect(replacing.map(([key]) => key).sort()).to.deep.equal(["connectorId", "registeredName"]);
  });

  it("offers every setting a stack may configure, under its config key, with the secrets marked secret", () => {
    const configurable = Object.values(SETTINGS).filter((s) => !("envOnly" in s && s.envOnly));
    expect(Object.keys(schema.config.variables).sort()).to.deep.equal(configurable.map((s) => s.key).sort());
    const secret = Object.entries(schema.config.variables).filter(([, p]) => p.secret);
    expect(secret.map(([key]) => key).sort()).to.deep.equal(["clientCertificatePassword", "clientSecret"]);
    expect(schema.provider.inputProperties).to.deep.equal(schema.config.variables);
    // CI-only variables are never config: a stack file must not hold a job's token.
    expect(schema.config.variables).to.not.have.property("actionsIdTokenRequestToken");
    for (const [key, property] of Object.entries(schema.config.variables)) {
      expect(property.description, key).to.match(/Environment: [A-Z_]+/);
    }
  });

  it("describes everything a user reads as docs: the package, the resource, each property, function and setting", () => {
    const described: [string, unknown][] = [["package", (schema as { description?: string }).description]];
    const properties = (where: string, bag: Record<string, Property>) =>
      Object.entries(bag).forEach(([key, p]) => described.push([`${where}.${key}`, p.description]));
    properties("inputs", connector.inputProperties);
    properties("outputs", connector.properties);
    properties("config", schema.config.variables);
    described.push(["resource", (connector as { description?: string }).description]);
    for (const [token, fn] of Object.entries(schema.functions) as [string, FunctionSpec][]) {
      described.push([token, fn.description]);
      properties(`${token} inputs`, fn.inputs.properties);
      properties(`${token} outputs`, fn.outputs.properties);
    }
    const missing = described.filter(([, text]) => typeof text !== "string" || text.trim().length < 10);
    expect(missing.map(([where]) => where)).to.deep.equal([]);
    expect(described.length).to.be.above(40);
  });

  it("serializes to JSON as the engine reads it", () => {
    expect(JSON.parse(JSON.stringify(schema))).to.deep.equal(schema);
  });
});

describe("the plugin's messages to the engine", () => {
  it("finds the engine's address among the plugin's arguments, flags aside", () => {
    expect(engineAddressOf(["--logtostderr", "-v=9", "127.0.0.1:41234"])).to.equal("127.0.0.1:41234");
    expect(engineAddressOf(["--tracing", "http://t", "127.0.0.1:5"])).to.equal("127.0.0.1:5");
    expect(engineAddressOf([])).to.equal(undefined);
  });

  it("writes warnings to stderr when no engine is there to take them", () => {
    expect(engineWarnings(undefined)).to.equal(stderrWarnings);
  });
});

describe("the plugin's provider config", () => {
  it("reads settings by full key from either form of the engine's keys, ignoring other packages", () => {
    const lookup = configLookup({
      "intune:tenantId": "t",
      "intune:config:clientId": "c",
      "azure:clientId": "other",
      // Not the older form: a name with a colon of its own is kept whole.
      "intune:some:name": "s",
      "intune:config:a:b": "ab",
    });
    expect([lookup("intune:tenantId"), lookup("intune:clientId"), lookup("azure:clientId")]).to.deep.equal([
      "t",
      "c",
      undefined,
    ]);
    expect([lookup("intune:some:name"), lookup("intune:config:a:b"), lookup("intune:name")]).to.deep.equal([
      "s",
      "ab",
      undefined,
    ]);
  });

  type Handler = (call: { request: unknown }, cb: (e: unknown, r?: unknown) => void) => void;
  const callOf = (handler: Handler, request: unknown) =>
    new Promise<unknown>((resolve, reject) => handler({ request }, (e, r) => (e ? reject(e) : resolve(r))));
  const struct = (value: Record<string, unknown>) => ({ toJavaScript: () => value });

  it("updates the provider in place when its config changes, and never replaces it", async () => {
    const { diffConfig } = configHandlers({ configure: () => undefined });
    const request = (olds: Record<string, unknown>, news: Record<string, unknown>) => ({
      getOldInputs: () => struct(olds),
      getOlds: () => struct({}),
      getNews: () => struct(news),
    });
    type Diff = { getChanges(): number; getReplacesList(): string[] };
    const same = (await callOf(diffConfig, request({ a: "1", b: "2" }, { b: "2", a: "1" }))) as Diff;
    const changed = (await callOf(diffConfig, request({ tenantId: "a" }, { tenantId: "b" }))) as Diff;
    expect([same.getChanges(), changed.getChanges()]).to.deep.equal([1, 2]); // DIFF_NONE, DIFF_SOME
    expect(changed.getReplacesList()).to.deep.equal([]);
  });

  it("hands Configure's variables to the provider and asks for plain values", async () => {
    let received: Record<string, string> | undefined;
    const { configure } = configHandlers({ configure: (v) => (received = v) });
    const variables = new Map([["intune:tenantId", "t"]]);
    const response = (await callOf(configure, { getVariablesMap: () => variables })) as {
      getAcceptsecrets(): boolean;
      getAcceptresources(): boolean;
      getAcceptoutputs(): boolean;
    };
    expect(received).to.deep.equal({ "intune:tenantId": "t" });
    expect(response.getAcceptsecrets()).to.equal(false);
    // Nor resource references or output values: the provider's inputs are plain data.
    expect([response.getAcceptresources(), response.getAcceptoutputs()]).to.deep.equal([false, false]);
  });
});
