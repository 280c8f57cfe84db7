/** Placeholders in a fleet's connectors: filled from the tenant's values, unknown ones reported. */
import { expect } from "chai";
import * as fc from "fast-check";
import { fillText, fillValue } from "pulumi-intune-domain-join/internal/fleet/template";

describe("fleet templates", () => {
  it("fills known placeholders, spaces inside the braces allowed", () => {
    expect(fillText("ODJ {{name}} – {{ site }}", { name: "contoso", site: "Lyon" })).to.deep.equal({
      text: "ODJ contoso – Lyon",
      unknown: [],
      malformed: [],
    });
  });

  it("reports unknown keys once each and malformed placeholders as written (a `{{` never closed is left as text); single braces are text", () => {
    expect(fillText("{{a}} {{b}} {{a}} {x} {{ 1x }} {{c", { b: "B" })).to.deep.equal({
      text: " B  {x}  {{c",
      unknown: ["a"],
      malformed: ["{{ 1x }}", "{{c"],
    });
  });

  it("never reads a value it put in again (a value holding braces stays as it is)", () => {
    expect(fillText("{{a}}", { a: "{{b}}", b: "no" }).text).to.equal("{{b}}");
  });

  it("fills the strings of lists and objects, and says where each problem is", () => {
    const filled = fillValue(
      [{ name: "hq", displayName: "ODJ {{name}}", deleteOnDestroy: true }, { displayName: "{{x}}" }],
      { name: "contoso" },
      "templates.standard",
    );
    expect(filled.value).to.deep.equal([
      { name: "hq", displayName: "ODJ contoso", deleteOnDestroy: true },
      { displayName: "" },
    ]);
    expect(filled.problems).to.deep.equal([
      { path: "templates.standard[1].displayName", unknown: ["x"], malformed: [] },
    ]);
  });

  it("property: text made of literal pieces and known placeholders fills to the pieces and the values", () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
    // Literal text that cannot open a placeholder.
    const literal = fc.string({ maxLength: 12 }).map((s) => s.replace(/\{/g, "("));
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.string({ maxLength: 10 }), { minKeys: 1 }),
        fc.array(fc.tuple(literal, fc.nat(), fc.boolean()), { maxLength: 8 }),
        literal,
        (values, pieces, tail) => {
          const keys = Object.keys(values);
          let template = "";
          let expected = "";
          for (const [text, pick, spaced] of pieces) {
            const k = keys[pick % keys.length];
            template += `${text}{{${spaced ? ` ${k} ` : k}}}`;
            expected += `${text}${values[k]}`;
          }
          template += tail;
          expected += tail;
          const filled = fillText(template, values);
          expect(filled).to.deep.equal({ text: expected, unknown: [], malformed: [] });
        },
      ),
    );
  });

  it("property: text with no '{{' comes back as it was", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!text.includes("{{"));
        expect(fillText(text, { a: "x" }).text).to.equal(text);
      }),
    );
  });
});
