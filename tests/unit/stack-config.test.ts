import { expect } from "chai";
import { StackConfigError, parseConnectorEntries } from "../../stack/connectors-config";

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
