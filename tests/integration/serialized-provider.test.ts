/**
 * What a DomainJoinConnector puts in state, measured under pulumi.runtime.setMocks: the resource
 * is constructed for real, so its provider is serialized exactly as in a deployment.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";

const SECRET = "client-secret-value-that-must-never-leak-7f3a";

describe("serialized provider (pulumi.runtime.setMocks)", () => {
  const seen = new Map<string, Record<string, unknown>>();
  const registered = new Map<string, { type: string; id: string | undefined }>();

  before(async () => {
    process.env.AZURE_CLIENT_SECRET = SECRET;
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          seen.set(args.name, args.inputs);
          registered.set(args.name, { type: args.type, id: args.id });
          return { id: `id-${args.name}`, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      "intune-test",
      "dev",
      false,
    );
  });
  after(() => {
    delete process.env.AZURE_CLIENT_SECRET;
  });

  async function construct(name: string, args: Record<string, unknown>) {
    const { DomainJoinConnector } =
      require("pulumi-intune-domain-join") as typeof import("pulumi-intune-domain-join");
    const resource = new DomainJoinConnector(name, args as never);
    // Wait for the registration to reach the mock monitor.
    await new Promise<void>((resolve) => resource.urn.apply(() => resolve()));
    return seen.get(name) as Record<string, unknown>;
  }

  it("is, from a linked workspace package, a small shim that requires the installed implementation", async () => {
    // Here the package is the workspace link, outside node_modules/, so Pulumi stores the module by
    // value; an installed package is stored as one require (tests/e2e/consumer-state.test.ts).
    const inputs = await construct("small", { displayName: "Paris" });
    const code = inputs.__provider as string;
    expect(code).to.contain('require("pulumi-intune-domain-join/provider-implementation")');
    const bytes = Buffer.byteLength(code);
    console.log(`      serialized provider: ${bytes} bytes per copy, ${2 * bytes} bytes per resource`);
    expect(bytes).to.be.lessThan(2500);
    // Nothing of the implementation is inlined.
    expect(code).not.to.contain("GraphClient");
    expect(code).not.to.contain("ClientSecretCredential");
  });

  it("is identical for every resource (a provider change never diffs per resource)", async () => {
    const a = await construct("a", { displayName: "A" });
    const b = await construct("b", { displayName: "B", version: "6.1.1.1" });
    expect(a.__provider).to.equal(b.__provider);
  });

  it("holds no secret from the environment or config", async () => {
    const inputs = await construct("secret-check", { displayName: "Paris" });
    expect(JSON.stringify(inputs)).not.to.contain(SECRET);
  });

  it("passes only the given inputs and its own name (for ownership errors), output-only keys staying undefined", async () => {
    const inputs = await construct("keys", { displayName: "Paris" });
    expect(Object.keys(inputs).sort()).to.deep.equal(["__provider", "__resourceName", "displayName"]);
    expect(inputs.__resourceName).to.equal("keys");
  });

  it("carries a mistaken id input to check instead of dropping it", async () => {
    const inputs = await construct("with-id", { displayName: "Paris", id: "abc" });
    expect(inputs.__given_id).to.equal("abc");
  });

  it("passes a connectorId that is not a string on to check, unchanged", async () => {
    const inputs = await construct("numeric-id", { displayName: "Paris", connectorId: 42 });
    expect(inputs.connectorId).to.equal(42);
  });

  it("carries a mistaken urn input to check as well", async () => {
    const inputs = await construct("with-urn", { displayName: "Paris", urn: "urn:x" });
    expect(inputs.__given_urn).to.equal("urn:x");
    expect(Object.keys(inputs).sort()).to.deep.equal([
      "__given_urn",
      "__provider",
      "__resourceName",
      "displayName",
    ]);
  });

  it("warns once, in one line saying what to do, about a declared state (Intune sets it), and only then", async () => {
    const warned: string[] = [];
    const original = console.warn;
    console.warn = (message: string) => void warned.push(message);
    try {
      await construct("stateful", { displayName: "S", state: "active" });
      await construct("stateless", { displayName: "T" });
    } finally {
      console.warn = original;
    }
    // With no engine (mocks), pulumi.log.warn prints to the console; under the CLI it is a resource warning.
    expect(warned).to.deep.equal([
      "warning: [runtime] state is ignored and no longer managed: Intune sets it from the connector's heartbeats " +
        "(active while it checks in, error after an hour without one, inactive after five days), so a declared " +
        "state cannot hold. Remove it; read the state output, or judge it with intune-health or the policy pack",
    ]);
  });

  it("registers the type token pulumi-nodejs:dynamic/intune:DomainJoinConnector", async () => {
    await construct("typed", { displayName: "Paris" });
    expect(registered.get("typed")?.type).to.equal("pulumi-nodejs:dynamic/intune:DomainJoinConnector");
  });

  it("get() reads the connector by id instead of registering a new one", async () => {
    const { DomainJoinConnector } =
      require("pulumi-intune-domain-join") as typeof import("pulumi-intune-domain-join");
    const id = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
    const read = DomainJoinConnector.get("read-only", id);
    await new Promise<void>((resolve) => read.urn.apply(() => resolve()));
    expect(registered.get("read-only")).to.deep.equal({
      type: "pulumi-nodejs:dynamic/intune:DomainJoinConnector",
      id,
    });
  });

  describe("one resource per connector id", () => {
    const { DomainJoinConnector } =
      require("pulumi-intune-domain-join") as typeof import("pulumi-intune-domain-join");

    /** The connectorId each resource would send, or the error that stopped it. */
    async function claims(...pairs: [string, string][]): Promise<string[]> {
      const resources = pairs.map(
        ([name, connectorId]) => new DomainJoinConnector(name, { displayName: name, connectorId }),
      );
      return Promise.all(
        resources.map(
          (r) =>
            new Promise<string>((resolve) =>
              // The mock monitor resolves outputs from the inputs it was given.
              (r.connectorId as unknown as { promise(): Promise<string> })
                .promise()
                .then(resolve, (error: Error) => resolve(`error: ${error.message}`)),
            ),
        ),
      );
    }

    it("lets each resource adopt its own connector", async () => {
      expect(
        await claims(
          ["own-a", "11111111-1111-4111-8111-111111111111"],
          ["own-b", "22222222-2222-4222-8222-222222222222"],
        ),
      ).to.deep.equal(["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"]);
    });

    it("stops two resources claiming one id in any letter case, naming both", async () => {
      const message =
        'error: error serializing property "connectorId": DomainJoinConnector resources "twice-a" and "twice-b" both set connectorId ' +
        '"33333333-3333-4333-8333-33333333333A": a connector can be managed by one resource only. ' +
        "Remove all but one, or give each the id of another connector";
      const results = await claims(
        ["twice-a", "33333333-3333-4333-8333-33333333333a"],
        ["twice-b", "33333333-3333-4333-8333-33333333333A"],
      );
      expect(results[1]).to.equal(message);
      expect(results[0]).to.equal(message.replace("33333333333A", "33333333333a"));
    });

    it("names all three of three claimants", async () => {
      const id = "44444444-4444-4444-8444-444444444444";
      const [first] = await claims(["three-a", id], ["three-b", id], ["three-c", id]);
      expect(first).to.equal(
        `error: error serializing property "connectorId": DomainJoinConnector resources "three-a", "three-b" and "three-c" all set connectorId "${id}": ` +
          "a connector can be managed by one resource only. Remove all but one, or give each the id of another connector",
      );
    });
  });
});
