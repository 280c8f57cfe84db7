/**
 * Redundancy per domain: a connector only processes enrollment requests for its own server's
 * domain, so the healthyCount rule counts each domain the options name, with the connectors
 * listed under it or found by the name pattern; without domains it counts all the connectors as
 * one, as before. Expected counts are recounted here from how each connector was made.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { FleetHealth, fleetHealth } from "pulumi-intune-domain-join/internal/health/rules";
import { HealthOptions } from "pulumi-intune-domain-join/internal/health/options";
import { ConfigurationError } from "pulumi-intune-domain-join/internal/logic/errors";
import { GraphConnector } from "pulumi-intune-domain-join/internal/connector/definition";

const NOW = Date.parse("2026-11-28T12:00:00Z");
const HOUR = 3_600_000;
const FQDN = "^[^.]+\\.(.+)$";

let counter = 0;
/** A connector that is healthy (current, active, checked in an hour ago) or down (state error). */
function connector(displayName: string | null, healthy = true, id?: string): GraphConnector {
  counter++;
  return {
    id: id ?? `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    displayName,
    version: "6.2504.2001.8",
    state: healthy ? "active" : "error",
    lastConnectionDateTime: new Date(NOW - (healthy ? 1 : 3) * HOUR).toISOString(),
  };
}
const options = (extra: Partial<HealthOptions>): HealthOptions => ({
  minimumVersion: "6.2501.2000.5",
  minimumHealthy: 2,
  ...extra,
});
const counts = (fleet: FleetHealth) =>
  fleet.domains.map((d) => [d.domain, d.healthyCount, d.connectors.length]);
const messages = (fleet: FleetHealth) =>
  fleet.findings.filter((f) => f.rule === "healthyCount").map((f) => f.message);

describe("health: redundancy per domain", () => {
  const hq1 = connector("ODJ-HQ-01");
  const hq2 = connector("ODJ-HQ-02");

  it("finds the domain with no connector that the tenant-wide count let pass: two in corp, none in emea", () => {
    expect(fleetHealth([hq1, hq2], NOW, options({})).findings).to.deep.equal([]);
    const fleet = fleetHealth(
      [hq1, hq2],
      NOW,
      options({ domains: { "corp.contoso.com": ["ODJ-HQ-01", "ODJ-HQ-02"], "emea.contoso.com": [] } }),
    );
    expect(fleet.perDomain).to.equal(true);
    expect(counts(fleet)).to.deep.equal([
      ["corp.contoso.com", 2, 2],
      ["emea.contoso.com", 0, 0],
    ]);
    expect(fleet.findings).to.deep.equal([
      {
        rule: "healthyCount",
        domain: "emea.contoso.com",
        message:
          "domain emea.contoso.com has no connector, fewer than the 2 it needs: a connector processes enrollment " +
          "requests only for its own server's domain, so none are processed for emea.contoso.com",
      },
    ]);
    expect(fleet.healthy).to.equal(false);
    expect(fleet.healthyCount).to.equal(2);
  });

  it("names a short domain's counts and its connectors, healthy and not, and what was listed but not found", () => {
    const emea = connector("ODJ-EMEA-01");
    const emeaDown = connector("ODJ-EMEA-02", false);
    const fleet = fleetHealth(
      [hq1, hq2, emea, emeaDown],
      NOW,
      options({
        domains: {
          "corp.contoso.com": ["odj-hq-01 ", hq2.id.toUpperCase()],
          "emea.contoso.com": ["ODJ-EMEA-01", "ODJ-EMEA-02", "ODJ-EMEA-03"],
        },
      }),
    );
    expect(counts(fleet)).to.deep.equal([
      ["corp.contoso.com", 2, 2],
      ["emea.contoso.com", 1, 2],
    ]);
    expect(messages(fleet)).to.deep.equal([
      'domain emea.contoso.com has 1 healthy connector of 2 (healthy: ODJ-EMEA-01; unhealthy: ODJ-EMEA-02), fewer than the 2 it needs for redundancy; listed but not found: "ODJ-EMEA-03"',
    ]);
    const allDown = fleetHealth([emeaDown], NOW, options({ domains: { EMEA: ["ODJ-EMEA-02"] } }));
    expect(messages(allDown)).to.deep.equal([
      "domain EMEA has 0 healthy connectors of 1 (unhealthy: ODJ-EMEA-02), fewer than the 2 it needs: a connector " +
        "processes enrollment requests only for its own server's domain, so none are processed for EMEA",
    ]);
  });

  it("finds each connector's domain by the pattern over its name, letter case aside", () => {
    const fleet = fleetHealth(
      [
        connector("SRV01.CORP.contoso.com"),
        connector("srv02.corp.contoso.com"),
        connector("srv03.emea.contoso.com", false),
      ],
      NOW,
      options({ domains: { "corp.contoso.com": [], "emea.contoso.com.": [] }, domainPattern: FQDN }),
    );
    expect(counts(fleet)).to.deep.equal([
      ["corp.contoso.com", 2, 2],
      ["emea.contoso.com.", 0, 1],
    ]);
    expect(fleet.unassigned).to.deep.equal([]);
  });

  it("takes the group named domain when the pattern has several", () => {
    const fleet = fleetHealth(
      [connector("ODJ-EMEA-01"), connector("ODJ-EMEA-02")],
      NOW,
      options({ domains: { emea: [] }, domainPattern: "^(ODJ)-(?<domain>[a-z]+)-(\\d+)$" }),
    );
    expect(counts(fleet)).to.deep.equal([["emea", 2, 2]]);
  });

  it("counts a listed connector where it is listed, whatever the pattern says", () => {
    const moved = connector("srv09.emea.contoso.com");
    const fleet = fleetHealth(
      [moved, connector("srv01.emea.contoso.com")],
      NOW,
      options({
        domains: { "corp.contoso.com": ["srv09.emea.contoso.com"], "emea.contoso.com": [] },
        domainPattern: FQDN,
      }),
    );
    expect(counts(fleet)).to.deep.equal([
      ["corp.contoso.com", 1, 1],
      ["emea.contoso.com", 1, 1],
    ]);
  });

  it("counts a connector no rule assigns in no domain, and says why: a note, not a finding", () => {
    const noMatch = connector("LAB-SERVER");
    const otherDomain = connector("srv01.lab.contoso.com");
    const nameless = connector(null);
    const emptyGroup = connector("srv01.");
    const fleet = fleetHealth(
      [
        connector("srv01.corp.contoso.com"),
        connector("srv02.corp.contoso.com"),
        noMatch,
        otherDomain,
        nameless,
      ],
      NOW,
      options({ domains: { "corp.contoso.com": [] }, domainPattern: FQDN }),
    );
    expect(fleet.findings).to.deep.equal([]);
    expect(fleet.healthy).to.equal(true);
    expect(fleet.unassigned.map((u) => [u.connector.connector.id, u.reason])).to.deep.equal([
      [noMatch.id, "its name does not match domainPattern, and it is listed under no domain"],
      [otherDomain.id, 'its name gives the domain "lab.contoso.com", which is not one of the domains given'],
      [nameless.id, "it has no display name for domainPattern, and is listed under no domain"],
    ]);
    const optional = fleetHealth(
      [emptyGroup],
      NOW,
      options({ domains: { corp: [] }, domainPattern: "^srv01\\.(corp)?$" }),
    );
    expect(optional.unassigned.map((u) => u.reason)).to.deep.equal([
      "domainPattern matches its name but captures no domain",
    ]);
    const listedOnly = fleetHealth([noMatch], NOW, options({ domains: { corp: [] }, minimumHealthy: 0 }));
    expect(listedOnly.unassigned.map((u) => u.reason)).to.deep.equal(["it is listed under no domain"]);
  });

  it("refuses one connector listed under two domains, once by name and once by id, naming both", () => {
    const hq = connector("ODJ-HQ-01", true, "8c39f54e-6512-4a2f-bd3a-2cb66d02f722");
    expect(() =>
      fleetHealth(
        [hq],
        NOW,
        options({ domains: { corp: ["ODJ-HQ-01"], emea: ["8C39F54E-6512-4A2F-BD3A-2CB66D02F722"] } }),
      ),
    ).to.throw(
      ConfigurationError,
      'domains lists the connector "ODJ-HQ-01" (8c39f54e-6512-4a2f-bd3a-2cb66d02f722) under "corp" as "ODJ-HQ-01" and ' +
        'under "emea" as "8C39F54E-6512-4A2F-BD3A-2CB66D02F722": a connector serves only the domain of the server it ' +
        "is installed on; list it under that one",
    );
  });

  it("counts a name two connectors share for both (uniqueNames says they share it)", () => {
    const fleet = fleetHealth(
      [connector("ODJ-TWIN"), connector("odj-twin")],
      NOW,
      options({ domains: { corp: ["ODJ-TWIN"] } }),
    );
    expect(counts(fleet)).to.deep.equal([["corp", 2, 2]]);
    expect(fleet.findings.map((f) => f.rule)).to.deep.equal(["uniqueNames"]);
  });
});

describe("health: per-domain counting equals a recount (fast-check)", () => {
  const DOMAINS = ["corp.contoso.com", "emea.contoso.com", "apac.contoso.com", "lab.contoso.com"];
  /** Each connector: whether it is healthy and the domain it is in (an index, or none). */
  const fleetShape = fc.array(
    fc.record({
      healthy: fc.boolean(),
      domain: fc.option(fc.nat({ max: DOMAINS.length - 1 }), { nil: undefined }),
    }),
    { maxLength: 12 },
  );
  const domainCount = fc.integer({ min: 1, max: DOMAINS.length });
  const minimum = fc.integer({ min: 0, max: 3 });

  const build = (shape: { healthy: boolean; domain?: number }[]) =>
    shape.map((s, i) =>
      connector(`srv${i}.${s.domain === undefined ? "nowhere.example" : DOMAINS[s.domain]}`, s.healthy),
    );

  it("lists: each domain's healthy and total are the connectors listed under it, and a domain short of the minimum is a finding", () => {
    fc.assert(
      fc.property(fleetShape, domainCount, minimum, (shape, used, min) => {
        const connectors = build(shape);
        const domains = Object.fromEntries(
          DOMAINS.slice(0, used).map((d, at) => [
            d,
            shape.flatMap((s, i) => (s.domain === at ? [connectors[i].displayName as string] : [])),
          ]),
        );
        const fleet = fleetHealth(connectors, NOW, options({ domains, minimumHealthy: min }));
        const expected = DOMAINS.slice(0, used).map((d, at) => {
          const members = shape.filter((s) => s.domain === at);
          return [d, members.filter((s) => s.healthy).length, members.length];
        });
        expect(counts(fleet)).to.deep.equal(expected);
        expect(fleet.findings.map((f) => f.domain)).to.deep.equal(
          expected.filter(([, healthy]) => (healthy as number) < min).map(([d]) => d),
        );
        expect(fleet.unassigned.length).to.equal(
          shape.filter((s) => s.domain === undefined || s.domain >= used).length,
        );
        expect(fleet.healthyCount).to.equal(shape.filter((s) => s.healthy).length);
      }),
      { seed: 20261208, numRuns: 300 },
    );
  });

  it("pattern: the FQDN pattern counts as listing each connector under its name's domain does", () => {
    fc.assert(
      fc.property(fleetShape, domainCount, minimum, (shape, used, min) => {
        const connectors = build(shape);
        const required = Object.fromEntries(DOMAINS.slice(0, used).map((d) => [d, [] as string[]]));
        const byPattern = fleetHealth(
          connectors,
          NOW,
          options({ domains: required, domainPattern: FQDN, minimumHealthy: min }),
        );
        const listed = Object.fromEntries(
          DOMAINS.slice(0, used).map((d) => [
            d,
            connectors.filter((c) => (c.displayName as string).endsWith(`.${d}`)).map((c) => c.id),
          ]),
        );
        const byList = fleetHealth(connectors, NOW, options({ domains: listed, minimumHealthy: min }));
        expect(counts(byPattern)).to.deep.equal(counts(byList));
        expect(byPattern.findings).to.deep.equal(byList.findings);
      }),
      { seed: 20261209, numRuns: 200 },
    );
  });

  it("without domains, counts all the connectors as one, as before: one finding exactly when too few are healthy", () => {
    fc.assert(
      fc.property(fleetShape, minimum, (shape, min) => {
        const fleet = fleetHealth(build(shape), NOW, options({ minimumHealthy: min }));
        const healthy = shape.filter((s) => s.healthy).length;
        expect(fleet.perDomain).to.equal(false);
        expect(counts(fleet)).to.deep.equal([[undefined, healthy, shape.length]]);
        expect(fleet.unassigned).to.deep.equal([]);
        const found = messages(fleet);
        if (healthy >= min) expect(found).to.deep.equal([]);
        else {
          expect(found).to.have.length(1);
          expect(found[0]).to.match(
            new RegExp(`^${healthy} healthy connectors? of ${shape.length}, fewer than the ${min} needed`),
          );
          expect(found[0]).to.match(/; no domains were given, so all are counted as one domain$/);
        }
      }),
      { seed: 20261210, numRuns: 300 },
    );
  });
});
