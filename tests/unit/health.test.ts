import { expect } from "chai";
import {
  compareVersions,
  connectorHealth,
  fleetHealth,
  formatHours,
} from "pulumi-intune-domain-join/internal/health/rules";
import { GraphConnector } from "pulumi-intune-domain-join/internal/connector/definition";
import { mixedFleet } from "intune-graph-emulator";

const NOW = Date.parse("2026-11-28T12:00:00Z");
const HOUR = 3_600_000;
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();
const connector = (extra: Partial<GraphConnector> = {}): GraphConnector => ({
  id: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
  displayName: "ODJ Connector – Paris",
  version: "6.2504.2001.8",
  state: "active",
  lastConnectionDateTime: at(1),
  ...extra,
});
const rules = (c: GraphConnector, options?: Parameters<typeof connectorHealth>[2]) =>
  connectorHealth(c, NOW, options).findings.map((f) => f.rule);
const message = (c: GraphConnector) => connectorHealth(c, NOW).findings[0]?.message;

describe("health: versions compare numerically, part by part", () => {
  it("orders the deprecation boundary and longer parts correctly", () => {
    expect(compareVersions("6.2501.2000.5", "6.2501.2000.5")).to.equal(0);
    expect(compareVersions("6.2501.2000.4", "6.2501.2000.5")).to.equal(-1);
    expect(compareVersions("6.2501.2000.6", "6.2501.2000.5")).to.equal(1);
    expect(compareVersions("6.2504.2001.8", "6.2501.2000.5")).to.equal(1);
    // As strings "6.10" < "6.9"; as versions it is newer.
    expect(compareVersions("6.10.0.0", "6.9.9999.9999")).to.equal(1);
    expect(compareVersions("6.2501.2000.10", "6.2501.2000.9")).to.equal(1);
    expect(compareVersions("7", "6.9999.9999.9999")).to.equal(1);
    expect(compareVersions("6.2501.2000", "6.2501.2000.0")).to.equal(0);
    expect(compareVersions("6.2501.2000", "6.2501.2000.5")).to.equal(-1);
    expect(compareVersions("10.0", "9.99")).to.equal(1);
    expect(compareVersions("9.99", "10.0")).to.equal(-1);
  });

  it("refuses what is not a dotted number", () => {
    for (const bad of ["", "v6.2501", "6..1", "6.2501.x", "6.2501.2000.5-beta", ".", " 6.2501.2000.5"]) {
      expect(compareVersions(bad, "6.2501.2000.5"), bad).to.equal(undefined);
    }
  });
});

describe("health: one connector", () => {
  it("is healthy when current, active and heard from within the window", () => {
    const health = connectorHealth(connector(), NOW);
    expect(health.healthy).to.equal(true);
    expect(health.findings).to.deep.equal([]);
    expect(health.silentHours).to.equal(1);
  });

  it("calls a connector at 6.2501.2000.5 supported and one at 6.2501.2000.4 deprecated, in Microsoft's words, even when active", () => {
    expect(rules(connector({ version: "6.2501.2000.5" }))).to.deep.equal([]);
    const old = connectorHealth(connector({ version: "6.2501.2000.4" }), NOW);
    expect(old.healthy).to.equal(false);
    expect(old.findings).to.deep.equal([
      {
        rule: "version",
        connectorId: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        message:
          "version 6.2501.2000.4 is older than 6.2501.2000.5: Microsoft deprecated versions older than 6.2501.2000.5, which can no longer process enrollment requests",
      },
    ]);
  });

  it("takes another minimum version when told to, giving Microsoft's reason only below Microsoft's minimum", () => {
    const options = { minimumVersion: "6.2504.2001.8", minimumHealthy: 1 };
    expect(rules(connector({ version: "6.2504.2001.7" }), options)).to.deep.equal(["version"]);
    expect(rules(connector({ version: "6.2504.2001.8" }), options)).to.deep.equal([]);
    expect(
      connectorHealth(connector({ version: "6.2504.2001.7" }), NOW, options).findings[0].message,
    ).to.equal("version 6.2504.2001.7 is older than 6.2504.2001.8, the minimum set");
    expect(
      connectorHealth(connector({ version: "6.2409.1000.1" }), NOW, options).findings[0].message,
    ).to.equal(
      "version 6.2409.1000.1 is older than 6.2504.2001.8: Microsoft deprecated versions older than 6.2501.2000.5, which can no longer process enrollment requests",
    );
  });

  it("reports a missing or malformed version as such", () => {
    expect(connectorHealth(connector({ version: null }), NOW).findings[0].message).to.equal(
      "reports no version, so whether it is older than 6.2501.2000.5 cannot be told",
    );
    expect(connectorHealth(connector({ version: "latest" }), NOW).findings[0].message).to.equal(
      'version "latest" is not a dotted version number',
    );
  });

  it("reports error and inactive in Intune's meaning of them, with how long ago the last check-in was", () => {
    expect(message(connector({ state: "error", lastConnectionDateTime: at(3) }))).to.equal(
      "state is error: no heartbeat for more than an hour (last check-in 3 h ago); its server or the connector service is down",
    );
    expect(message(connector({ state: "inactive", lastConnectionDateTime: at(24 * 6) }))).to.equal(
      "state is inactive: no heartbeat for more than five days (last check-in 6 d ago); bring its server back, or leave it: Intune removes inactive connectors after 30 days",
    );
    expect(
      message(connector({ state: "inactive", lastConnectionDateTime: "0001-01-01T00:00:00Z" })),
    ).to.equal(
      "state is inactive: no heartbeat for more than five days; bring its server back, or leave it: Intune removes inactive connectors after 30 days",
    );
  });

  it("reports any other state, or none, as not active", () => {
    expect(message(connector({ state: "paused" }))).to.equal(
      "state is paused, not active: Autopilot does not use it",
    );
    expect(message(connector({ state: null }))).to.equal(
      "state is unknown, not active: Autopilot does not use it",
    );
  });

  it("leaves silence to Intune's state by default: active three days after the last check-in is Intune's verdict as read", () => {
    expect(rules(connector({ lastConnectionDateTime: at(72) }))).to.deep.equal([]);
  });

  it("counts a connector silent past a window when one is set: 24 h is still fine, a minute more is not", () => {
    const window = { ...defaults(), silentAfterHours: 24 };
    expect(rules(connector({ lastConnectionDateTime: at(24) }), window)).to.deep.equal([]);
    const late = connectorHealth(connector({ lastConnectionDateTime: at(24 + 1 / 60) }), NOW, window);
    expect(late.findings.map((f) => f.message)).to.deep.equal([
      "silent for 24 h 1 min (more than 24 h): its server or service is down",
    ]);
    expect(
      rules(connector({ lastConnectionDateTime: at(2) }), { ...defaults(), silentAfterHours: 1 }),
    ).to.deep.equal(["contact"]);
  });

  it("says a connector that never checked in never did, instead of 2,000 years silent", () => {
    const never = connectorHealth(connector({ lastConnectionDateTime: "0001-01-01T00:00:00Z" }), NOW);
    expect(never.findings.map((f) => f.message)).to.deep.equal(["has never checked in with Intune"]);
    expect(never.silentHours).to.equal(undefined);
    expect(rules(connector({ lastConnectionDateTime: null }))).to.deep.equal(["contact"]);
  });

  it("names an unreadable check-in date", () => {
    expect(
      connectorHealth(connector({ lastConnectionDateTime: "yesterday" }), NOW).findings[0].message,
    ).to.equal('last check-in "yesterday" is not a date');
  });

  it("lists every broken rule of a leftover: old, inactive, and silent past a window that is set", () => {
    const old = connector({
      version: "6.2409.1000.1",
      state: "inactive",
      lastConnectionDateTime: at(24 * 40 + 5),
    });
    expect(rules(old)).to.deep.equal(["version", "state"]);
    const leftover = connectorHealth(old, NOW, { ...defaults(), silentAfterHours: 24 });
    expect(leftover.findings.map((f) => f.rule)).to.deep.equal(["version", "state", "contact"]);
    expect(leftover.findings[2].message).to.equal(
      "silent for 40 d 5 h (more than 24 h): its server or service is down",
    );
  });
});

describe("health: the version Microsoft asks to install is advice, never a finding", () => {
  const ADVICE =
    "is supported, but Microsoft asks to install 6.2504.2001.8 or later to avoid issues with the Internet Explorer Enhanced Security Configuration setting (advice: the verdict does not change)";

  it("advises a supported version below 6.2504.2001.8 and leaves the connector healthy", () => {
    for (const version of ["6.2501.2000.5", "6.2504.2001.7", "6.2503"]) {
      const health = connectorHealth(connector({ version }), NOW);
      expect(health.healthy, version).to.equal(true);
      expect(health.findings, version).to.deep.equal([]);
      expect(health.advisories, version).to.deep.equal([
        {
          rule: "recommendedVersion",
          connectorId: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
          message: `version ${version} ${ADVICE}`,
        },
      ]);
    }
  });

  it("says nothing from 6.2504.2001.8, below 6.2501.2000.5 (a finding's matter) or without a readable version", () => {
    for (const version of ["6.2504.2001.8", "6.2504.2001.10", "7", "6.2501.2000.4", "latest", null, ""]) {
      expect(connectorHealth(connector({ version }), NOW).advisories, String(version)).to.deep.equal([]);
    }
    // A lower minimum lets 6.2409 pass, but the advice is only for what Microsoft supports.
    const lowered = connectorHealth(connector({ version: "6.2409.1000.1" }), NOW, {
      minimumVersion: "6.2409",
      minimumHealthy: 2,
    });
    expect([lowered.healthy, lowered.advisories]).to.deep.equal([true, []]);
  });

  it("changes no verdict of the connectors together", () => {
    const advised = [
      connector({ id: "a1", displayName: "A", version: "6.2501.2000.5" }),
      connector({ id: "a2", displayName: "B", version: "6.2503.1000.0" }),
    ];
    const fleet = fleetHealth(advised, NOW, defaults());
    expect([fleet.healthy, fleet.healthyCount, fleet.findings]).to.deep.equal([true, 2, []]);
    expect(fleet.connectors.map((h) => h.advisories.length)).to.deep.equal([1, 1]);
  });
});

function defaults() {
  return { minimumVersion: "6.2501.2000.5", minimumHealthy: 2 };
}

describe("health: the tenant's connectors together", () => {
  const a = connector({ id: "A0000000-0000-0000-0000-000000000001", displayName: "HQ" });
  const b = connector({ id: "a0000000-0000-0000-0000-000000000002", displayName: "Branch" });
  const old = connector({
    id: "a0000000-0000-0000-0000-000000000003",
    displayName: "Old",
    version: "6.2409.1000.1",
  });

  it("is healthy with two healthy connectors, uniquely named, all managed (ids in any letter case)", () => {
    const fleet = fleetHealth([a, b], NOW, defaults(), [a.id.toLowerCase(), b.id.toUpperCase()]);
    expect(fleet.healthy).to.equal(true);
    expect(fleet.healthyCount).to.equal(2);
    expect(fleet.findings).to.deep.equal([]);
  });

  it("needs the minimum of healthy connectors: one healthy of two is too few", () => {
    const fleet = fleetHealth([a, old], NOW, defaults());
    expect(fleet.healthy).to.equal(false);
    expect(fleet.findings).to.deep.equal([
      {
        rule: "healthyCount",
        message:
          "1 healthy connector of 2, fewer than the 2 needed for redundancy; no domains were given, so all are counted as one domain",
      },
    ]);
    expect(fleetHealth([a], NOW, { ...defaults(), minimumHealthy: 1 }).healthy).to.equal(true);
    expect(fleetHealth([old], NOW, defaults()).findings[0].message).to.equal(
      "0 healthy connectors of 1, fewer than the 2 needed: none can process enrollment requests; no domains were given, so all are counted as one domain",
    );
  });

  it("is unhealthy when one connector is, even with enough healthy ones", () => {
    const fleet = fleetHealth([a, b, old], NOW, defaults());
    expect(fleet.findings).to.deep.equal([]);
    expect(fleet.healthy).to.equal(false);
    expect(fleet.connectors.map((h) => h.healthy)).to.deep.equal([true, true, false]);
  });

  it("names connectors that share a display name", () => {
    const twin = { ...b, id: "a0000000-0000-0000-0000-000000000004" };
    const fleet = fleetHealth([a, b, twin], NOW, defaults());
    expect(fleet.findings).to.deep.equal([
      {
        rule: "uniqueNames",
        message:
          '2 connectors are named "Branch" (a0000000-0000-0000-0000-000000000002, a0000000-0000-0000-0000-000000000004): admins cannot tell them apart',
      },
    ]);
  });

  it("lists connectors the stack does not manage, only when the managed ids are given", () => {
    expect(fleetHealth([a, b], NOW, defaults()).findings).to.deep.equal([]);
    const fleet = fleetHealth([a, b], NOW, defaults(), [a.id]);
    expect(fleet.findings).to.deep.equal([
      {
        rule: "unmanaged",
        connectorId: b.id,
        message: `"Branch" (${b.id}) is not managed by the stack: adopt it with connectorId, or remove a leftover`,
      },
    ]);
    expect(fleet.healthy).to.equal(false);
  });
});

describe("health: a declared version the software does not run", () => {
  const a = connector({ id: "A0000000-0000-0000-0000-000000000001", displayName: "HQ" });
  const b = connector({ id: "a0000000-0000-0000-0000-000000000002", displayName: "Branch" });

  it("is a finding naming both versions, only where the stack's state declares one and the connector checked in", () => {
    // Keyed as the command keys them: ids in lower case.
    const declared = new Map([
      ["a0000000-0000-0000-0000-000000000001", "6.2501.2000.5"],
      [b.id, b.version as string],
    ]);
    const fleet = fleetHealth([a, b], NOW, defaults(), [a.id, b.id], declared);
    expect(fleet.findings.map((f) => [f.rule, f.connectorId])).to.deep.equal([["declaredVersion", a.id]]);
    expect(fleet.findings[0].message).to.contain(
      `reports version ${JSON.stringify(a.version)}, the stack declares "6.2501.2000.5"`,
    );
    expect(fleet.healthy).to.equal(false);
    const neverConnected = { ...a, lastConnectionDateTime: "0001-01-01T00:00:00Z" };
    expect(
      fleetHealth([neverConnected], NOW, defaults(), [a.id], declared).findings.map((f) => f.rule),
    ).to.not.include("declaredVersion");
  });
});

describe("health: durations for people", () => {
  it("shows minutes below an hour, hours and minutes below two days, days and hours from there", () => {
    expect(formatHours(0)).to.equal("0 min");
    expect(formatHours(0.5)).to.equal("30 min");
    expect(formatHours(1)).to.equal("1 h");
    expect(formatHours(47.9)).to.equal("47 h 54 min");
    expect(formatHours(48)).to.equal("2 d");
    expect(formatHours(24 * 40 + 5.5)).to.equal("40 d 5 h");
  });
});

describe("health: the emulator's mixed fleet shows each verdict", () => {
  it("judges each of its connectors by a different rule, its state consistent with its last contact", () => {
    const fleet = fleetHealth(
      mixedFleet(NOW).map((c, i) => ({ id: `id-${i}`, ...c }) as GraphConnector),
      NOW,
      defaults(),
    );
    expect(
      fleet.connectors.map((h) => [h.connector.displayName, h.findings.map((f) => f.rule)]),
    ).to.deep.equal([
      ["SRV-ODJ-01", []],
      ["SRV-ODJ-02", []],
      ["SRV-ODJ-03", ["version"]],
      ["SRV-ODJ-04", ["state"]],
      ["SRV-ODJ-05", ["state"]],
      ["SRV-OLD-DC", ["version", "state", "contact"]],
    ]);
    expect(fleet.connectors.map((h) => h.connector.state)).to.deep.equal([
      "active",
      "active",
      "active",
      "error",
      "inactive",
      "inactive",
    ]);
    expect(fleet.healthyCount).to.equal(2);
    expect(fleet.findings).to.deep.equal([]);
    expect(fleet.healthy).to.equal(false);
  });
});
