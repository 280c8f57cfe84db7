/**
 * The YAML program of a tenant's stack in the fleet's plugin form: its connectors as resources of
 * the plugin, strings kept as text whatever `$` and `${…}` they hold, and the `connectors` output
 * reachable from any logical name. The e2e test (fleet-plugin) runs such programs for real.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { yamlProgram } from "pulumi-intune-domain-join/internal/fleet/yaml-program";

/** What Pulumi YAML makes of a string: `$$` is one `$`; `${` starts an expression (here: refused). */
function evaluated(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith("$$", i)) {
      out += "$";
      i++;
    } else if (text.startsWith("${", i)) throw new Error(`an expression at ${i}: ${text}`);
    else out += text[i];
  }
  return out;
}

describe("fleet plugin form: the tenant's YAML program", () => {
  it("each connector a resource of the plugin, its properties as given, the logical name its key", () => {
    const program = yamlProgram([
      { name: "hq", displayName: "ODJ HQ", version: "6.2504.2001.8" },
      { name: "8c39f54e-6512-4a2f-bd3a-2cb66d02f722", connectorId: "8c39f54e-6512-4a2f-bd3a-2cb66d02f722" },
    ]);
    expect(program.runtime).to.equal("yaml");
    expect(program.resources).to.deep.equal({
      hq: {
        type: "intune:index:DomainJoinConnector",
        properties: { displayName: "ODJ HQ", version: "6.2504.2001.8" },
      },
      "8c39f54e-6512-4a2f-bd3a-2cb66d02f722": {
        type: "intune:index:DomainJoinConnector",
        properties: { connectorId: "8c39f54e-6512-4a2f-bd3a-2cb66d02f722" },
      },
    });
  });

  it("the connectors output names each resource by a string subscript, dots and leading digits included", () => {
    const program = yamlProgram([{ name: "site.lyon", displayName: "ODJ Lyon" }]);
    expect(program.outputs.connectors["site.lyon"]).to.deep.equal({
      id: '${["site.lyon"].connectorId}',
      displayName: '${["site.lyon"].displayName}',
      state: '${["site.lyon"].state}',
      lastConnectionDateTime: '${["site.lyon"].lastConnectionDateTime}',
    });
  });

  it("any string, however many $ and ${…} it holds, reads back as itself and never as an expression", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z ${}.$]{0,30}$/), (displayName) => {
        const program = yamlProgram([{ name: "hq", displayName }]);
        expect(evaluated(program.resources.hq.properties.displayName as string)).to.equal(displayName);
      }),
    );
    expect(
      yamlProgram([{ name: "hq", displayName: "a ${b.c} $$" }]).resources.hq.properties.displayName,
    ).to.equal("a $${b.c} $$$$");
  });
});
