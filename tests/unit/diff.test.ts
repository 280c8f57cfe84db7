import { expect } from "chai";
import {
  detailedDiff,
  diffConnector,
  patchBody,
  versionReport,
  versionReportMessage,
} from "pulumi-intune-domain-join/internal/connector/diff";
import { effectiveDeleteOnDestroy } from "pulumi-intune-domain-join/internal/connector/ownership";
import { CONNECTOR_ODATA_TYPE, UNKNOWN_VALUE } from "pulumi-intune-domain-join/internal/connector/constants";
import { ConnectorOutputs } from "pulumi-intune-domain-join/internal/connector/definition";

const ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const olds: ConnectorOutputs = {
  connectorId: ID,
  displayName: "Paris",
  version: "6.2504.2001.8",
  state: "active",
  lastConnectionDateTime: "2026-11-28T10:00:00.0000000Z",
  adopted: false,
  deleteOnDestroy: true,
};

/** A connector a stack created, whose software never checked in: Intune's year-one last contact. */
const neverConnected: ConnectorOutputs = {
  ...olds,
  state: "inactive",
  lastConnectionDateTime: "0001-01-01T00:00:00Z",
};

describe("diff: desired inputs against the last known outputs", () => {
  it("finds no change when the managed properties match", () => {
    expect(diffConnector(olds, { displayName: "Paris", version: "6.2504.2001.8" })).to.deep.equal({
      changed: [],
      replaces: [],
    });
  });

  for (const [property, value] of [
    ["displayName", "Lyon"],
    ["version", "6.2505.1.1"],
  ] as const) {
    it(`reports a change of ${property} as an update, not a replacement, on a connector that never checked in`, () => {
      const d = diffConnector(neverConnected, { displayName: "Paris", [property]: value });
      expect(d).to.deep.equal({ changed: [property], replaces: [] });
    });
  }

  it("on a connector whose software checked in, a declared version is no write: the software reports its own", () => {
    expect(diffConnector(olds, { displayName: "Lyon", version: "6.2505.1.1" })).to.deep.equal({
      changed: ["displayName"],
      replaces: [],
    });
    expect(versionReport(olds, "6.2505.1.1")).to.deep.equal({
      declared: "6.2505.1.1",
      reported: "6.2504.2001.8",
    });
    expect(versionReport(olds, "6.2504.2001.8")).to.equal(undefined);
    expect(versionReport(olds, undefined)).to.equal(undefined);
    expect(versionReport(olds, UNKNOWN_VALUE)).to.equal(undefined);
    expect(versionReport(neverConnected, "6.2505.1.1")).to.equal(undefined);
    expect(versionReport({ ...olds, lastConnectionDateTime: undefined }, "6.2505.1.1")).to.equal(undefined);
  });

  it("says both versions, that nothing is written, why, and what to do", () => {
    const message = versionReportMessage(ID, "Paris", {
      declared: "6.2504.2001.8",
      reported: "6.2505.1000.2",
    });
    expect(message).to.equal(
      `connector ${ID} ("Paris"): its software reports version "6.2505.1000.2", the stack declares "6.2504.2001.8". ` +
        "The provider does not write version to a connector whose software has checked in: the software reports the " +
        'version it runs at every check-in, so a write would not last. Declare "6.2505.1000.2" (or remove version), ' +
        'or install version "6.2504.2001.8" of the Intune Connector on the server',
    );
  });

  it("the detailed diff calls a property the tenant has no value for an add, and one it has an update", () => {
    const diff = { changed: ["displayName", "version"], replaces: [] };
    expect(detailedDiff({ ...olds, displayName: null, version: undefined }, diff)).to.deep.equal({
      displayName: "add",
      version: "add",
    });
    expect(detailedDiff(olds, diff)).to.deep.equal({ displayName: "update", version: "update" });
    expect(detailedDiff(olds, { changed: ["connectorId"], replaces: ["connectorId"] })).to.deep.equal({
      connectorId: "update-replace",
    });
  });

  it("never diffs properties the stack leaves unmanaged", () => {
    expect(
      diffConnector({ ...olds, version: "9.9.9.9", state: "error" }, { displayName: "Paris" }).changed,
    ).to.deep.equal([]);
  });

  it("never diffs lastConnectionDateTime, whatever it becomes", () => {
    const moved = { ...olds, lastConnectionDateTime: "2026-11-28T12:34:56.0000000Z" };
    expect(diffConnector(moved, { displayName: "Paris" }).changed).to.deep.equal([]);
    expect(
      diffConnector({ ...olds, lastConnectionDateTime: null }, { displayName: "Paris" }).changed,
    ).to.deep.equal([]);
  });

  it("ignores the serialized provider code (a new provider version is not a change)", () => {
    const d = diffConnector(
      { ...olds, __provider: "old code" } as never,
      {
        displayName: "Paris",
        __provider: "new code",
      } as never,
    );
    expect(d.changed).to.deep.equal([]);
  });

  it("replaces when the adopted connectorId changes", () => {
    const other = "11111111-2222-3333-4444-555555555555";
    const adopted = { ...olds, adopted: true, deleteOnDestroy: false };
    expect(diffConnector(adopted, { displayName: "Paris", connectorId: other })).to.deep.equal({
      changed: ["connectorId"],
      replaces: ["connectorId"],
    });
  });

  it("does not replace for the same connectorId in another case", () => {
    expect(
      diffConnector(
        { ...olds, adopted: true, deleteOnDestroy: false },
        {
          displayName: "Paris",
          connectorId: ID.toUpperCase(),
        },
      ).replaces,
    ).to.deep.equal([]);
  });

  it("does not replace a created connector when connectorId is left out", () => {
    expect(diffConnector(olds, { displayName: "Paris" }).replaces).to.deep.equal([]);
  });

  it("treats unknown preview values as changes, and an unknown connectorId as a replacement", () => {
    expect(diffConnector(olds, { displayName: UNKNOWN_VALUE }).changed).to.deep.equal(["displayName"]);
    expect(diffConnector(olds, { displayName: "Paris", connectorId: UNKNOWN_VALUE }).replaces).to.deep.equal([
      "connectorId",
    ]);
  });

  it("reports a change of deleteOnDestroy (state only, no Graph write)", () => {
    expect(diffConnector(olds, { displayName: "Paris", deleteOnDestroy: false }).changed).to.deep.equal([
      "deleteOnDestroy",
    ]);
    expect(diffConnector(olds, { displayName: "Paris", deleteOnDestroy: true }).changed).to.deep.equal([]);
    expect(
      diffConnector(
        { ...olds, adopted: true, deleteOnDestroy: false },
        { displayName: "Paris", connectorId: ID },
      ).changed,
    ).to.deep.equal([]);
  });

  it("treats an unknown deleteOnDestroy as a change", () => {
    expect(
      diffConnector(olds, { displayName: "Paris", deleteOnDestroy: UNKNOWN_VALUE as never }).changed,
    ).to.deep.equal(["deleteOnDestroy"]);
  });

  it("finds no deleteOnDestroy change in state written before the setting existed", () => {
    const { deleteOnDestroy: _dropped, adopted: _alsoDropped, ...older } = olds;
    expect(diffConnector(older, { displayName: "Paris" }).changed).to.deep.equal([]);
  });

  it("defaults deleteOnDestroy to true when created and false when adopted, by id or by name", () => {
    expect(effectiveDeleteOnDestroy({})).to.equal(true);
    expect(effectiveDeleteOnDestroy({ connectorId: ID })).to.equal(false);
    expect(effectiveDeleteOnDestroy({ registeredName: "SRV-01" })).to.equal(false);
    expect(effectiveDeleteOnDestroy({ connectorId: ID, deleteOnDestroy: true })).to.equal(true);
    expect(effectiveDeleteOnDestroy({ registeredName: "SRV-01", deleteOnDestroy: true })).to.equal(true);
    // An explicit false on a connector the stack creates is kept: it is released, not deleted.
    expect(effectiveDeleteOnDestroy({ deleteOnDestroy: false })).to.equal(false);
  });

  describe("registeredName: which connector to adopt, decided once", () => {
    const byName: ConnectorOutputs = {
      ...olds,
      adopted: true,
      deleteOnDestroy: false,
      registeredName: "SRV-01",
    };

    it("is no change for the same name, in any letter case or with surrounding spaces", () => {
      for (const name of ["SRV-01", "srv-01", " SRV-01 "]) {
        expect(diffConnector(byName, { displayName: "Paris", registeredName: name }), name).to.deep.equal({
          changed: [],
          replaces: [],
        });
      }
    });

    it("replaces for another name (another connector), and for a name not known yet", () => {
      const expected = { changed: ["registeredName"], replaces: ["registeredName"] };
      expect(diffConnector(byName, { displayName: "Paris", registeredName: "SRV-02" })).to.deep.equal(
        expected,
      );
      expect(diffConnector(byName, { displayName: "Paris", registeredName: UNKNOWN_VALUE })).to.deep.equal(
        expected,
      );
    });

    it("records, without replacing, the name of a connector already adopted by id (moving from getConnector)", () => {
      const byId: ConnectorOutputs = { ...olds, adopted: true, deleteOnDestroy: false };
      expect(diffConnector(byId, { displayName: "Paris", registeredName: "SRV-01" })).to.deep.equal({
        changed: ["registeredName"],
        replaces: [],
      });
    });

    it("replaces a connector the stack created: a name to adopt by is another connector", () => {
      expect(diffConnector(olds, { displayName: "Paris", registeredName: "SRV-01" })).to.deep.equal({
        changed: ["registeredName"],
        replaces: ["registeredName"],
      });
    });
  });
});

describe("patchBody: the smallest PATCH", () => {
  it("carries only the changed properties plus @odata.type", () => {
    expect(patchBody({ displayName: "Lyon", version: "6.2504.2001.8" }, olds)).to.deep.equal({
      "@odata.type": CONNECTOR_ODATA_TYPE,
      displayName: "Lyon",
    });
  });

  it("carries every changed managed property it writes: version only to a connector that never checked in", () => {
    expect(patchBody({ displayName: "Lyon", version: "7.1.1.1" }, neverConnected)).to.deep.equal({
      "@odata.type": CONNECTOR_ODATA_TYPE,
      displayName: "Lyon",
      version: "7.1.1.1",
    });
    expect(patchBody({ displayName: "Lyon", version: "7.1.1.1" }, olds)).to.deep.equal({
      "@odata.type": CONNECTOR_ODATA_TYPE,
      displayName: "Lyon",
    });
    expect(patchBody({ displayName: "Paris", version: "7.1.1.1" }, olds)).to.equal(undefined);
  });

  it("never carries state, which Intune sets from heartbeats, even when a stale input holds one", () => {
    const stale = { displayName: "Paris", state: "error" } as Parameters<typeof patchBody>[0];
    expect(patchBody(stale, olds)).to.equal(undefined);
    expect(diffConnector(olds, stale as Parameters<typeof diffConnector>[1])).to.deep.equal({
      changed: [],
      replaces: [],
    });
  });

  it("is undefined when nothing differs (Intune refuses an empty PATCH)", () => {
    expect(patchBody({ displayName: "Paris" }, olds)).to.equal(undefined);
  });

  it("never carries lastConnectionDateTime or unmanaged properties", () => {
    const body = patchBody({ displayName: "Lyon" }, { ...olds, version: null });
    expect(Object.keys(body ?? {})).to.deep.equal(["@odata.type", "displayName"]);
  });
});
