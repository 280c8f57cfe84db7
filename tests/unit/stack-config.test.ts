import { expect } from "chai";
import { StackConfigError, parseConnectorEntries } from "../../stack/connectors-config";
import { healthOutput, parseHealthConfig } from "../../stack/health";
import { fleetHealth } from "pulumi-intune-domain-join/internal/health/rules";
import type { GraphConnector } from "pulumi-intune-domain-join/internal/connector/definition";

const ID = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";

describe("root stack config: the connectors list", () => {
  it("accepts named entries and names adopted ones by their id", () => {
    expect(
      parseConnectorEntries([
        { connectorId: ID, displayName: "HQ" },
        { name: "branch", displayName: "Branch", version: "6.1.1.1" },
      ]),
    ).to.deep.equal([
      { name: ID, connectorId: ID, displayName: "HQ" },
      { name: "branch", displayName: "Branch", version: "6.1.1.1" },
    ]);
  });

  it("is empty when not set", () => {
    expect(parseConnectorEntries(undefined)).to.deep.equal([]);
  });

  it("passes unknown keys on, for the resource's check to report", () => {
    expect(parseConnectorEntries([{ name: "a", displayname: "x" }])[0]).to.deep.equal({
      name: "a",
      displayname: "x",
    });
  });

  it("refuses what is not a list, naming the key and showing the shape", () => {
    expect(() => parseConnectorEntries({ a: 1 })).to.throw(
      StackConfigError,
      /connectors must be a list of connectors/,
    );
  });

  it("needs a stable name for created connectors", () => {
    expect(() => parseConnectorEntries([{ displayName: "x" }])).to.throw(/connectors\[0\] needs a name/);
  });

  it("refuses bad and duplicate names, and non-object entries", () => {
    expect(() => parseConnectorEntries([{ name: "a b", displayName: "x" }])).to.throw(
      /connectors\[0\]\.name must be/,
    );
    expect(() =>
      parseConnectorEntries([
        { name: "a", displayName: "x" },
        { name: "a", displayName: "y" },
      ]),
    ).to.throw(/connectors\[1\]\.name "a" is used twice/);
    expect(() => parseConnectorEntries(["x"])).to.throw(/connectors\[0\] must be an object/);
  });

  it("refuses the same connectorId twice, whatever its letter case, naming both entries", () => {
    const list = [
      { connectorId: "8c39f54e-6512-4a2f-bd3a-2cb66d02f722", displayName: "HQ" },
      { name: "branch", displayName: "Branch" },
      { name: "hq-again", connectorId: "8C39F54E-6512-4A2F-BD3A-2CB66D02F722", displayName: "HQ 2" },
    ];
    expect(() => parseConnectorEntries(list))
      .to.throw(StackConfigError)
      .with.property(
        "message",
        'connectors[2].connectorId "8C39F54E-6512-4A2F-BD3A-2CB66D02F722" is also the connectorId of ' +
          'connectors[0] ("8c39f54e-6512-4a2f-bd3a-2cb66d02f722"): a connector can be listed once only; ' +
          "remove one of the two entries",
      );
  });
});

describe("root stack config: health", () => {
  const NOW = Date.parse("2026-11-28T12:00:00Z");
  const connector = (id: string, displayName: string, healthy = true): GraphConnector => ({
    id,
    displayName,
    version: healthy ? "6.2504.2001.8" : "6.2409.1000.1",
    state: "active",
    lastConnectionDateTime: new Date(NOW - 3_600_000).toISOString(),
  });

  it("takes the health options under health, checked as everywhere, each named health.<key>", () => {
    expect(parseHealthConfig(undefined)).to.deep.equal({
      minimumVersion: "6.2501.2000.5",
      minimumHealthy: 2,
    });
    expect(parseHealthConfig({ minimumHealthy: 1, domains: { "corp.contoso.com": ["HQ"] } })).to.deep.equal({
      minimumVersion: "6.2501.2000.5",
      minimumHealthy: 1,
      domains: { "corp.contoso.com": ["HQ"] },
    });
    expect(() => parseHealthConfig({ domains: { corp: [] }, domainPattern: "[" }))
      .to.throw(StackConfigError)
      .with.property(
        "message",
        'health.domainPattern "[" is not a regular expression (Invalid regular expression: /[/i: Unterminated character class)',
      );
    expect(() => parseHealthConfig({ minHealthy: 1 })).to.throw(
      StackConfigError,
      "health.minHealthy is not a health option; accepted: minimumVersion, silentAfterHours, minimumHealthy, domains, domainPattern",
    );
  });

  it("outputs each domain's healthy and total and the connectors in no domain, by logical name, only with domains", () => {
    const hq = connector("a1", "srv01.corp.contoso.com");
    const branch = connector("a2", "srv01.emea.contoso.com", false);
    const lab = connector("a3", "LAB-01");
    const names = ["hq", "branch", "lab"];
    const options = parseHealthConfig({
      domains: { "corp.contoso.com": [], "emea.contoso.com": [] },
      domainPattern: "^[^.]+\\.(.+)$",
      minimumHealthy: 1,
    });
    expect(healthOutput(fleetHealth([hq, branch, lab], NOW, options), names)).to.deep.equal({
      healthy: false,
      healthyCount: 2,
      unhealthy: { branch: ["version"] },
      fleet: ["healthyCount"],
      domains: { "corp.contoso.com": { healthy: 1, total: 1 }, "emea.contoso.com": { healthy: 0, total: 1 } },
      unassigned: ["lab"],
    });
    expect(
      healthOutput(fleetHealth([hq, lab], NOW, parseHealthConfig(undefined)), ["hq", "lab"]),
    ).to.deep.equal({
      healthy: true,
      healthyCount: 2,
      unhealthy: {},
      fleet: [],
    });
  });

  it("outputs advice by logical name, apart from the verdict", () => {
    const advised = { ...connector("a1", "HQ"), version: "6.2501.2000.5" };
    const output = healthOutput(fleetHealth([advised], NOW, parseHealthConfig({ minimumHealthy: 1 })), [
      "hq",
    ]);
    expect(output).to.deep.equal({
      healthy: true,
      healthyCount: 1,
      unhealthy: {},
      fleet: [],
      advisories: { hq: ["recommendedVersion"] },
    });
  });
});
