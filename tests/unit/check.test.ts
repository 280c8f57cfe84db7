import { expect } from "chai";
import {
  checkInputs,
  describeValue,
  nearestProperty,
} from "pulumi-intune-domain-join/internal/connector/check";
import {
  OUTPUT_ONLY_PREFIX,
  PROVIDER_KEY,
  UNKNOWN_VALUE,
} from "pulumi-intune-domain-join/internal/connector/constants";

function failuresOf(news: Record<string, unknown>) {
  return checkInputs(news).failures;
}

function onlyFailure(news: Record<string, unknown>) {
  const failures = failuresOf(news);
  expect(failures, JSON.stringify(failures)).to.have.length(1);
  return failures[0];
}

describe("check: input validation", () => {
  it("accepts a minimal connector and keeps the serialized provider", () => {
    const result = checkInputs({ displayName: "ODJ Connector 1", [PROVIDER_KEY]: "code" });
    expect(result.failures).to.deep.equal([]);
    expect(result.inputs).to.deep.equal({ displayName: "ODJ Connector 1", [PROVIDER_KEY]: "code" });
  });

  it("accepts every property with valid values and lower-cases the connector id", () => {
    const result = checkInputs({
      displayName: "Contoso – Paris ☕",
      version: "6.2504.2001.8",
      state: "active",
      connectorId: "3FA85F64-5717-4562-B3FC-2C963F66AFA6",
      deleteOnDestroy: true,
    });
    expect(result.failures).to.deep.equal([]);
    expect(result.inputs.connectorId).to.equal("3fa85f64-5717-4562-b3fc-2c963f66afa6");
  });

  it("takes registeredName with the display name's rules, and not together with connectorId", () => {
    expect(checkInputs({ displayName: "x", registeredName: "ODJ-HQ-SRV01" })).to.deep.equal({
      inputs: { displayName: "x", registeredName: "ODJ-HQ-SRV01" },
      failures: [],
    });
    expect(onlyFailure({ displayName: "x", registeredName: " " }).reason).to.equal(
      'registeredName must not be empty or only whitespace, got " "',
    );
    expect(onlyFailure({ displayName: "x", registeredName: 7 }).reason).to.equal(
      "registeredName must be a string, got number 7",
    );
    expect(
      onlyFailure({
        displayName: "x",
        registeredName: "SRV",
        connectorId: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
      }),
    ).to.deep.equal({
      property: "registeredName",
      reason:
        'give connectorId or registeredName, not both (got connectorId "3fa85f64-5717-4562-b3fc-2c963f66afa6" and ' +
        'registeredName "SRV"): each says which connector to adopt',
    });
  });

  it("checks a declared state, then leaves it out: Intune sets it from heartbeats", () => {
    const result = checkInputs({ displayName: "x", state: "active" });
    expect(result).to.deep.equal({ inputs: { displayName: "x" }, failures: [] });
    expect(checkInputs({ displayName: "x", state: UNKNOWN_VALUE }).inputs).to.deep.equal({
      displayName: "x",
    });
  });

  it("drops absent optional properties", () => {
    const result = checkInputs({ displayName: "x", version: undefined, state: null });
    expect(result.inputs).to.deep.equal({ displayName: "x" });
  });

  describe("displayName", () => {
    it("is required", () => {
      const f = onlyFailure({});
      expect(f.property).to.equal("displayName");
      expect(f.reason).to.match(/displayName is required/);
    });
    for (const value of ["", "   ", "\t \n"]) {
      it(`refuses the empty or whitespace-only value ${JSON.stringify(value)}`, () => {
        const f = onlyFailure({ displayName: value });
        expect(f.property).to.equal("displayName");
        expect(f.reason).to.contain("must not be empty or only whitespace");
        expect(f.reason).to.contain(JSON.stringify(value));
      });
    }
    it("refuses a number, naming the type and the value", () => {
      const f = onlyFailure({ displayName: 42 });
      expect(f.reason).to.equal("displayName must be a string, got number 42");
    });
    it("refuses an object and an array", () => {
      expect(onlyFailure({ displayName: { a: 1 } }).reason).to.contain("got an object");
      expect(onlyFailure({ displayName: ["a"] }).reason).to.contain("got an array");
    });
    // The limit is pinned by literal numbers: a test computing it from LIMITS would move with it.
    it("accepts a name of 256 characters (the limit)", () => {
      const name = "n".repeat(256);
      expect(name).to.have.length(256);
      const result = checkInputs({ displayName: name });
      expect(result.failures).to.deep.equal([]);
      expect(result.inputs.displayName).to.equal(name);
    });
    it("refuses a name of 257 characters, naming its length and the limit", () => {
      const f = onlyFailure({ displayName: "n".repeat(257) });
      expect(f).to.deep.equal({
        property: "displayName",
        reason: "displayName is 257 characters long; at most 256 are accepted",
      });
    });
    it("counts characters (UTF-16 code units) the way the limit is stated: 256 × 'é' passes", () => {
      expect(failuresOf({ displayName: "é".repeat(256) })).to.deep.equal([]);
      expect(onlyFailure({ displayName: `${"é".repeat(256)}x` }).reason).to.contain("257 characters long");
    });
    it("refuses control characters", () => {
      const f = onlyFailure({ displayName: "bad\u0000name" });
      expect(f.reason).to.contain("control characters");
      expect(f.reason).to.contain("\\u0000");
    });
  });

  describe("version", () => {
    it("refuses a non-string", () => {
      const f = onlyFailure({ displayName: "x", version: 6.25 });
      expect(f.property).to.equal("version");
      expect(f.reason).to.equal('version must be a string such as "6.2504.2001.8", got number 6.25');
    });
    for (const value of ["", "latest", "6", "6..1", "1.2.3.4.5", "../6.1"]) {
      it(`refuses the malformed version ${JSON.stringify(value)}`, () => {
        const f = onlyFailure({ displayName: "x", version: value });
        expect(f.reason).to.contain("dotted version number");
        expect(f.reason).to.contain(JSON.stringify(value));
      });
    }
  });

  describe("state", () => {
    it("lists the allowed values", () => {
      const f = onlyFailure({ displayName: "x", state: "Active" });
      expect(f.property).to.equal("state");
      expect(f.reason).to.equal('state must be one of active, error, inactive; got "Active"');
    });
    it("refuses a non-string", () => {
      expect(onlyFailure({ displayName: "x", state: true }).reason).to.contain("got boolean true");
    });
  });

  describe("connectorId", () => {
    const GUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    it("accepts a bare GUID in either letter case", () => {
      expect(failuresOf({ displayName: "x", connectorId: GUID })).to.deep.equal([]);
      expect(failuresOf({ displayName: "x", connectorId: GUID.toUpperCase() })).to.deep.equal([]);
    });
    // A GUID inside a longer text must not pass: the id becomes a Graph path segment.
    for (const value of [
      "not-a-guid",
      "../../users",
      `../../users/${GUID}`,
      `x${GUID}`,
      ` ${GUID}`,
      `${GUID}x`,
      `${GUID}/../../users`,
      `${GUID}\n`,
      `${GUID}?x`,
      `${GUID}${GUID}`,
      "%2F",
    ]) {
      it(`refuses ${JSON.stringify(value)}`, () => {
        const f = onlyFailure({ displayName: "x", connectorId: value });
        expect(f.property).to.equal("connectorId");
        expect(f.reason).to.contain("must be the GUID of an existing connector");
        expect(f.reason).to.contain(JSON.stringify(value).slice(0, 30)); // long values are shortened
      });
    }
  });

  it("refuses a non-boolean allowDuplicateDisplayName", () => {
    expect(onlyFailure({ displayName: "x", allowDuplicateDisplayName: 1 })).to.deep.equal({
      property: "allowDuplicateDisplayName",
      reason: "allowDuplicateDisplayName must be true or false, got number 1",
    });
  });

  it("leaves a known optional property given as null out of the inputs, without a failure", () => {
    expect(checkInputs({ displayName: "x", version: null, state: null, connectorId: null })).to.deep.equal({
      inputs: { displayName: "x" },
      failures: [],
    });
  });

  it("accepts parts of up to ten digits, the first one included, up to 43 characters in all", () => {
    expect(checkInputs({ displayName: "x", version: "10.2504" }).failures).to.deep.equal([]);
    expect(checkInputs({ displayName: "x", version: "1234567890.1" }).failures).to.deep.equal([]);
    // The longest version there is: four parts of ten digits, 43 characters.
    const longest = "1234567890.1234567890.1234567890.1234567890";
    expect(checkInputs({ displayName: "x", version: longest }).failures).to.deep.equal([]);
    expect(onlyFailure({ displayName: "x", version: `${longest}0` }).property).to.equal("version");
  });

  describe("how a value is shown in a message", () => {
    it("shows null, arrays, objects, numbers and booleans by kind", () => {
      expect(describeValue(null)).to.equal("null");
      expect(describeValue([1])).to.equal("an array");
      expect(describeValue({ a: 1 })).to.equal("an object");
      expect(describeValue(7)).to.equal("number 7");
      expect(describeValue(false)).to.equal("boolean false");
    });
    it("quotes a string of up to 40 characters whole", () => {
      const forty = "a".repeat(40);
      expect(describeValue(forty)).to.equal(`"${forty}"`);
    });
    it("cuts a longer string at 40 characters and gives its length", () => {
      expect(describeValue("b".repeat(41))).to.equal(`"${"b".repeat(40)}…" (41 characters)`);
    });
    it("escapes control characters", () => {
      expect(describeValue("a\tb")).to.equal('"a\\tb"');
    });
  });

  it("refuses a non-boolean deleteOnDestroy", () => {
    const f = onlyFailure({ displayName: "x", deleteOnDestroy: "yes" });
    expect(f).to.deep.equal({
      property: "deleteOnDestroy",
      reason: 'deleteOnDestroy must be true or false, got "yes"',
    });
  });

  describe("output-only properties", () => {
    it("refuses lastConnectionDateTime", () => {
      const f = onlyFailure({ displayName: "x", lastConnectionDateTime: "2025-01-01T00:00:00Z" });
      expect(f.property).to.equal("lastConnectionDateTime");
      expect(f.reason).to.contain("is set by the service and cannot be given as an input");
    });
    it("refuses id, carried by the resource class under its own key", () => {
      const f = onlyFailure({ displayName: "x", [`${OUTPUT_ONLY_PREFIX}id`]: "abc" });
      expect(f.property).to.equal("id");
      expect(f.reason).to.contain('id is set by the service and cannot be given as an input (got "abc")');
    });
    it("ignores output-only keys that are absent (the class declares them as undefined)", () => {
      expect(
        failuresOf({ displayName: "x", lastConnectionDateTime: undefined, adopted: null }),
      ).to.deep.equal([]);
    });
  });

  describe("unknown properties", () => {
    it("suggests the nearest known name", () => {
      const failures = failuresOf({ displayname: "x" });
      expect(failures.map((f) => f.property)).to.deep.equal(["displayname", "displayName"]);
      expect(failures[0].reason).to.contain("did you mean displayName?");
      expect(failures[1].reason).to.contain("displayName is required");
    });
    it("lists the accepted properties when nothing is near", () => {
      const failures = failuresOf({ displayName: "x", colour: "blue" });
      expect(failures).to.have.length(1);
      expect(failures[0].reason).to.contain("colour is not a property of DomainJoinConnector");
      expect(failures[0].reason).to.contain(
        "Accepted: displayName, version, connectorId, registeredName, deleteOnDestroy",
      );
      expect(failures[0].reason).not.to.contain("did you mean");
    });
    it("finds near names case-insensitively and by edit distance", () => {
      expect(nearestProperty("displayname")).to.equal("displayName");
      expect(nearestProperty("vresion")).to.equal("version");
      expect(nearestProperty("connectorID")).to.equal("connectorId");
      expect(nearestProperty("zzz")).to.equal(undefined);
    });
    it("allows more edits for longer names: a third of the name's length, at least two", () => {
      expect(nearestProperty("delOnDestroy")).to.equal("deleteOnDestroy"); // 3 edits, 12 letters
      expect(nearestProperty("dispName")).to.equal(undefined); // 3 edits, 8 letters
    });
    it("ignores an unknown property that is absent", () => {
      expect(failuresOf({ displayName: "x", colour: undefined, shade: null })).to.deep.equal([]);
    });
    it("names the property and the accepted ones, and nothing more, when nothing is near", () => {
      expect(onlyFailure({ displayName: "x", colour: "blue" }).reason).to.equal(
        "colour is not a property of DomainJoinConnector Accepted: displayName, version, connectorId, " +
          "registeredName, deleteOnDestroy, allowDuplicateDisplayName",
      );
    });
  });

  it("reports one failure per bad property", () => {
    const failures = failuresOf({ displayName: "", state: "on", version: 1, connectorId: "x", extra: 1 });
    expect(failures.map((f) => f.property).sort()).to.deep.equal(
      ["connectorId", "displayName", "extra", "state", "version"].sort(),
    );
  });

  it("lets unknown preview values through untouched", () => {
    const news = {
      displayName: UNKNOWN_VALUE,
      version: UNKNOWN_VALUE,
      connectorId: UNKNOWN_VALUE,
      deleteOnDestroy: UNKNOWN_VALUE,
    };
    const result = checkInputs(news);
    expect(result.failures).to.deep.equal([]);
    expect(result.inputs).to.deep.equal(news);
  });
});
