import { expect } from "chai";
import { decide } from "../../provider/tools/repair-pending";
import { GraphConnector } from "../../provider/logic/schema";

const connector = (id: string, displayName: string, extra: Partial<GraphConnector> = {}): GraphConnector => ({
  id,
  displayName,
  version: null,
  state: "inactive",
  lastConnectionDateTime: null,
  ...extra,
});
const op = (urn: string, inputs: Record<string, unknown>) => ({ urn, type: "t", inputs });

describe("intune-repair-pending: which connector each pending create made", () => {
  it("imports the one untracked match, clears the creates that never happened", () => {
    const decisions = decide(
      [op("u1", { displayName: "A" }), op("u2", { displayName: "B" })],
      new Set(["tracked"]),
      [connector("tracked", "A"), connector("new-a", "A")],
    );
    expect(decisions).to.deep.equal([
      { urn: "u1", action: "import", id: "new-a", candidates: ["new-a"] },
      { urn: "u2", action: "clear", candidates: [] },
    ]);
  });

  it("never gives one connector to two pending creates", () => {
    const decisions = decide([op("u1", { displayName: "A" }), op("u2", { displayName: "A" })], new Set(), [
      connector("x", "A"),
    ]);
    expect(decisions.map((d) => d.action)).to.deep.equal(["import", "clear"]);
  });

  it("leaves several matches alone, naming them", () => {
    const [d] = decide([op("u1", { displayName: "A" })], new Set(), [
      connector("x", "A"),
      connector("y", "A"),
    ]);
    expect(d).to.deep.equal({ urn: "u1", action: "ambiguous", candidates: ["x", "y"] });
  });

  it("matches version and state when the inputs set them, and the id when adopting", () => {
    const tenant = [
      connector("x", "A", { version: "1.1" }),
      connector("y", "A", { version: "2.2" }),
      connector("z", "Other"),
    ];
    expect(decide([op("u1", { displayName: "A", version: "2.2" })], new Set(), tenant)[0].id).to.equal("y");
    expect(
      decide([op("u2", { displayName: "Renamed", connectorId: "Z" })], new Set(), tenant)[0].id,
    ).to.equal("z");
  });
});
