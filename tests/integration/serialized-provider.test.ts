/**
 * What a DomainJoinConnector puts in state, measured under pulumi.runtime.setMocks: the resource
 * is constructed for real, so its provider is serialized exactly as in a deployment.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";

const SECRET = "client-secret-value-that-must-never-leak-7f3a";

describe("serialized provider (pulumi.runtime.setMocks)", () => {
  const seen = new Map<string, Record<string, unknown>>();

  before(async () => {
    process.env.AZURE_CLIENT_SECRET = SECRET;
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          seen.set(args.name, args.inputs);
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
    const { DomainJoinConnector } = require("../../provider") as typeof import("../../provider");
    const resource = new DomainJoinConnector(name, args as never);
    // Wait for the registration to reach the mock monitor.
    await new Promise<void>((resolve) => resource.urn.apply(() => resolve()));
    return seen.get(name) as Record<string, unknown>;
  }

  it("is a small shim that requires the installed implementation", async () => {
    const inputs = await construct("small", { displayName: "Paris" });
    const code = inputs.__provider as string;
    expect(code).to.contain('require("pulumi-intune-domain-join/provider-implementation")');
    // Twice per resource in state (inputs and outputs): the budget is 4 KB for both with the properties.
    const bytes = Buffer.byteLength(code);
    console.log(`      serialized provider: ${bytes} bytes per copy, ${2 * bytes} bytes per resource`);
    expect(bytes).to.be.lessThan(2300);
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

  it("passes only the given inputs, output-only keys staying undefined", async () => {
    const inputs = await construct("keys", { displayName: "Paris" });
    expect(Object.keys(inputs).sort()).to.deep.equal(["__provider", "displayName"]);
  });

  it("carries a mistaken id input to check instead of dropping it", async () => {
    const inputs = await construct("with-id", { displayName: "Paris", id: "abc" });
    expect(inputs.__given_id).to.equal("abc");
  });
});
