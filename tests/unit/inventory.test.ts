import { expect } from "chai";
import {
  ConnectorFilter,
  filterProblems,
  matchesFilter,
  onlyNamed,
} from "pulumi-intune-domain-join/internal/inventory/filter";
import { GraphConnector } from "pulumi-intune-domain-join/internal/connector/definition";

const c = (id: string, displayName: string, version: string | null, state: string): GraphConnector => ({
  id,
  displayName,
  version,
  state,
  lastConnectionDateTime: null,
});
const TENANT = [
  c("1", "ODJ – Paris", "6.2504.2001.8", "active"),
  c("2", "ODJ – Lyon", "6.2501.2000.5", "inactive"),
  c("3", "Legacy Paris", "6.2409.1000.1", "error"),
  c("4", "ODJ – Nice", null, "active"),
];
const ids = (filter: ConnectorFilter) => TENANT.filter((x) => matchesFilter(x, filter)).map((x) => x.id);

describe("inventory: the filter", () => {
  it("selects every connector without conditions", () => {
    expect(ids({})).to.deep.equal(["1", "2", "3", "4"]);
  });

  it("matches a display name exactly, by prefix, or by pattern (a global flag changes nothing)", () => {
    expect(ids({ displayName: "ODJ – Paris" })).to.deep.equal(["1"]);
    expect(ids({ displayName: "ODJ – paris" })).to.deep.equal([]);
    expect(ids({ displayName: { prefix: "ODJ – " } })).to.deep.equal(["1", "2", "4"]);
    expect(ids({ displayName: /paris/i })).to.deep.equal(["1", "3"]);
    const global = /Paris/g;
    expect(ids({ displayName: global })).to.deep.equal(["1", "3"]);
    expect(ids({ displayName: global })).to.deep.equal(["1", "3"]);
  });

  it("matches one state or any of several", () => {
    expect(ids({ state: "active" })).to.deep.equal(["1", "4"]);
    expect(ids({ state: ["inactive", "error"] })).to.deep.equal(["2", "3"]);
  });

  it("bounds versions inclusively and numerically, leaving out connectors without one", () => {
    expect(ids({ minVersion: "6.2501.2000.5" })).to.deep.equal(["1", "2"]);
    expect(ids({ maxVersion: "6.2501.2000.5" })).to.deep.equal(["2", "3"]);
    expect(ids({ minVersion: "6.2501.2000.6", maxVersion: "6.2504.2001.8" })).to.deep.equal(["1"]);
    expect(ids({ maxVersion: "6.10" })).to.deep.equal([]);
  });

  it("combines conditions", () => {
    expect(ids({ displayName: { prefix: "ODJ" }, state: "active", minVersion: "6" })).to.deep.equal(["1"]);
  });

  it("names a bad version bound or name filter before anything is read", () => {
    expect(filterProblems({ minVersion: "6.x", maxVersion: "7" })).to.deep.equal([
      'minVersion must be a dotted version number such as "6.2501.2000.5", got "6.x"',
    ]);
    expect(filterProblems({ displayName: { prefix: 3 } as never })).to.deep.equal([
      "displayName must be a string, { prefix: string } or a RegExp",
    ]);
    expect(filterProblems({ displayName: "x", minVersion: "1.2" })).to.deep.equal([]);
    // From another language anything may come: none of it is taken on trust, nor throws.
    for (const displayName of [null, 3, [], { prefix: null }]) {
      expect(filterProblems({ displayName } as never), JSON.stringify(displayName)).to.deep.equal([
        "displayName must be a string, { prefix: string } or a RegExp",
      ]);
    }
    expect(filterProblems({ displayName: { prefix: "ODJ" } })).to.deep.equal([]);
  });

  it("names a state that is not one, alone or in a list, and takes every real one", () => {
    expect(filterProblems({ state: ["active", "activ", "Error"] as never })).to.deep.equal([
      'state must be one of active, error, inactive (or a list of them); got "activ", "Error"',
    ]);
    expect(filterProblems({ state: "inactive " as never })).to.have.length(1);
    expect(filterProblems({ state: ["active", "error", "inactive"] })).to.deep.equal([]);
    expect(filterProblems({ state: "error" })).to.deep.equal([]);
  });
});

describe("inventory: one connector by name", () => {
  it("finds the only one", () => {
    expect(onlyNamed(TENANT, "ODJ – Lyon")).to.deep.equal({ connector: TENANT[1] });
  });

  it("says none is named so, listing the names there are", () => {
    const hint =
      ". To adopt a connector by the name it registered under and rename it, give the resource " +
      'registeredName: "Marseille" instead of a connectorId from getConnector: the name is then looked up once, ' +
      "when the resource is created";
    expect(onlyNamed(TENANT.slice(0, 2), "Marseille")).to.deep.equal({
      problem: `no connector is named "Marseille" (the tenant has 2: "ODJ – Paris", "ODJ – Lyon")${hint}`,
    });
    expect(onlyNamed([], "Marseille")).to.deep.equal({
      problem: `no connector is named "Marseille" (the tenant has 0)${hint}`,
    });
  });

  it("says when a name differs only in letter case or surrounding spaces", () => {
    expect(onlyNamed(TENANT.slice(0, 2), " odj – lyon")).to.deep.equal({
      problem:
        'no connector is named exactly " odj – lyon"; "ODJ – Lyon" (2) differs only in letter case or surrounding spaces: ' +
        "write the name as the tenant has it",
    });
  });

  it("names the ids when several share the name", () => {
    const twins = [...TENANT, c("5", "ODJ – Lyon", null, "active")];
    expect(onlyNamed(twins, "ODJ – Lyon")).to.deep.equal({
      problem: '2 connectors are named "ODJ – Lyon" (2, 5): pick one by its id with connectorId',
    });
  });
});
