import { expect } from "chai";
import {
  createCandidates,
  duplicateNameMessage,
  matchesCreate,
  namesakes,
  recordedOwnership,
  sameCreateFields,
} from "pulumi-intune-domain-join/internal/connector/ownership";

const A = "0b4c2d1e-1111-4a2b-8c3d-000000000001";
const B = "0b4c2d1e-2222-4a2b-8c3d-000000000002";
const C = "0b4c2d1e-3333-4a2b-8c3d-000000000003";
const connector = (id: string, displayName: string, extra: Record<string, string | null> = {}) => ({
  id,
  displayName,
  version: "6.2504.2001.8",
  state: "active",
  lastConnectionDateTime: null,
  ...extra,
});

describe("ownership rules (pure)", () => {
  describe("namesakes: the duplicate-name guard", () => {
    const tenant = [connector(A, "ODJ Paris"), connector(B, "ODJ Lyon"), connector(C, "  odj PARIS ")];

    it("finds every connector with the name, ignoring letter case and surrounding spaces", () => {
      expect(namesakes(tenant, "odj paris").map((c) => c.id)).to.deep.equal([A, C]);
    });

    it("skips connectors without a display name", () => {
      const withNull = [
        { ...connector(A, "x"), displayName: null as unknown as string },
        connector(B, "ODJ Paris"),
      ];
      expect(namesakes(withNull, "ODJ Paris").map((c) => c.id)).to.deep.equal([B]);
    });

    it("folds letter case downwards: 'Straße' and 'STRASSE' are different names", () => {
      expect(namesakes([connector(A, "Straße")], "STRASSE")).to.deep.equal([]);
      expect(namesakes([connector(A, "Straße")], "STRAßE").map((c) => c.id)).to.deep.equal([A]);
    });

    it("does not match a name that only contains the other", () => {
      expect(namesakes(tenant, "ODJ Paris 2")).to.deep.equal([]);
      expect(namesakes(tenant, "Paris")).to.deep.equal([]);
    });
  });

  describe("createCandidates: what a POST with an unknown outcome may have made", () => {
    const tenant = [connector(A, "ODJ Paris"), connector(B, "ODJ Paris"), connector(C, "ODJ Lyon")];

    it("leaves out connectors that existed before the POST", () => {
      const found = createCandidates(tenant, { displayName: "ODJ Paris" }, { before: new Set([A]) });
      expect(found.map((c) => c.id)).to.deep.equal([B]);
    });

    it("compares ids without letter case", () => {
      const found = createCandidates(
        tenant,
        { displayName: "ODJ Paris" },
        { before: new Set([A.toLowerCase()]), held: new Set([B]) },
      );
      expect(found).to.deep.equal([]);
    });

    it("leaves out connectors held by other resources", () => {
      const found = createCandidates(tenant, { displayName: "ODJ Paris" }, { held: new Set([B]) });
      expect(found.map((c) => c.id)).to.deep.equal([A]);
    });

    it("leaves out connectors that have contacted Intune: no POST made them", () => {
      const found = createCandidates(
        [
          connector(A, "ODJ Paris", { lastConnectionDateTime: "2026-11-28T10:00:00Z" }),
          connector(B, "ODJ Paris", { lastConnectionDateTime: "0001-01-01T00:00:00Z" }),
        ],
        { displayName: "ODJ Paris" },
      );
      expect(found.map((c) => c.id)).to.deep.equal([B]);
    });

    it("without a before-set, every match counts (the old rule)", () => {
      expect(createCandidates(tenant, { displayName: "ODJ Paris" }).map((c) => c.id)).to.deep.equal([A, B]);
    });
  });

  describe("matchesCreate", () => {
    const made = connector(A, "ODJ Paris", { version: "6.2501.2000.5", state: "inactive" });

    it("needs the exact display name the POST sent", () => {
      expect(matchesCreate(made, { displayName: "ODJ Paris" })).to.equal(true);
      expect(matchesCreate(made, { displayName: "odj paris" })).to.equal(false);
    });

    it("needs version and state only when the POST sent them", () => {
      expect(matchesCreate(made, { displayName: "ODJ Paris", version: "6.2501.2000.5" })).to.equal(true);
      expect(matchesCreate(made, { displayName: "ODJ Paris", version: "6.2504.2001.8" })).to.equal(false);
      expect(matchesCreate(made, { displayName: "ODJ Paris", state: "active" })).to.equal(false);
    });
  });

  describe("sameCreateFields: a pending create and the note of its POST", () => {
    it("match only when display name, version and state are all equal", () => {
      const fields = { displayName: "ODJ Paris", version: "6.1", state: "active" };
      expect(sameCreateFields(fields, { ...fields })).to.equal(true);
      expect(sameCreateFields(fields, { ...fields, displayName: "ODJ Lyon" })).to.equal(false);
      expect(sameCreateFields(fields, { ...fields, version: "6.2" })).to.equal(false);
      expect(sameCreateFields(fields, { ...fields, state: "inactive" })).to.equal(false);
      expect(
        sameCreateFields({ displayName: "ODJ Paris" }, { displayName: "ODJ Paris", version: "6.1" }),
      ).to.equal(false);
    });
  });

  describe("recordedOwnership", () => {
    it("created connectors are deleted on destroy, adopted ones released", () => {
      expect(recordedOwnership({ displayName: "x", adopted: false })).to.deep.equal({
        adopted: false,
        deleteOnDestroy: true,
      });
      expect(recordedOwnership({ displayName: "x", adopted: true })).to.deep.equal({
        adopted: true,
        deleteOnDestroy: false,
      });
    });

    it("an explicit deleteOnDestroy wins", () => {
      expect(
        recordedOwnership({ displayName: "x", adopted: true, deleteOnDestroy: true }).deleteOnDestroy,
      ).to.equal(true);
      expect(
        recordedOwnership({ displayName: "x", adopted: false, deleteOnDestroy: false }).deleteOnDestroy,
      ).to.equal(false);
    });

    it("outputs with a display name but no adopted flag (older state) count as created", () => {
      expect(recordedOwnership({ displayName: "x" })).to.deep.equal({
        adopted: false,
        deleteOnDestroy: true,
      });
    });

    it("outputs without adopted or displayName (a bare read) count as adopted: never deleted", () => {
      expect(recordedOwnership({})).to.deep.equal({ adopted: true, deleteOnDestroy: false });
    });
  });

  it("the duplicate-name message for one namesake, in full", () => {
    expect(duplicateNameMessage("ODJ Paris", [connector(A, " odj paris")])).to.equal(
      `create connector "ODJ Paris": the tenant already has a connector with this display name: ${A} (" odj paris"). ` +
        `Nothing was created. To manage it, adopt it: connectorId: "${A}". To create a second connector with the ` +
        "same name anyway, set allowDuplicateDisplayName: true",
    );
  });

  it("the duplicate-name message for several namesakes counts them and offers the first", () => {
    expect(
      duplicateNameMessage("ODJ Paris", [connector(B, "ODJ Paris"), connector(A, "ODJ PARIS")]),
    ).to.equal(
      `create connector "ODJ Paris": the tenant already has 2 connectors with this display name: ` +
        `${B} ("ODJ Paris"), ${A} ("ODJ PARIS"). Nothing was created. To manage one of them, adopt it: ` +
        `connectorId: "${B}". To create a second connector with the same name anyway, set allowDuplicateDisplayName: true`,
    );
  });

  it("the duplicate-name message without a namesake shows a placeholder id", () => {
    expect(duplicateNameMessage("X", [])).to.contain('adopt it: connectorId: "<id>".');
  });

  it("the duplicate-name message names the ids and both ways out", () => {
    const message = duplicateNameMessage("ODJ Paris", [connector(A, "ODJ Paris")]);
    expect(message).to.contain(A);
    expect(message).to.contain(`connectorId: "${A}"`);
    expect(message).to.contain("allowDuplicateDisplayName: true");
    expect(message).to.contain("Nothing was created");
  });
});
