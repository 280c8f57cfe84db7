/**
 * The policy pack's policies with hand-built arguments (no engine): which resources each one
 * looks at, its thresholds from config, the window's edge, and connectors whose outputs are not
 * known yet. The real CLI runs them in tests/e2e/policy-pack.test.ts.
 */
import { expect } from "chai";
import {
  PolicyResource,
  ResourceValidationArgs,
  StackValidationArgs,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import * as fc from "fast-check";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import { createPolicies } from "pulumi-intune-domain-join-policy/policies";
import { README_FILE, withConfigTable } from "pulumi-intune-domain-join-policy/readme";
import { fleetHealth } from "pulumi-intune-domain-join/internal/health/rules";
import { namesakes } from "pulumi-intune-domain-join/internal/connector/ownership";
import type { GraphConnector } from "pulumi-intune-domain-join/internal/connector/definition";

const NOW = Date.parse("2026-11-28T12:00:00Z");
const HOUR = 3_600_000;
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();
const TYPE = "pulumi-nodejs:dynamic/intune:DomainJoinConnector";
/** The same resource from the intune plugin (YAML, Python, Go, .NET, the generated SDKs). */
const PLUGIN_TYPE = "intune:index:DomainJoinConnector";
const [declaredVersion, health, minimumHealthy, uniqueNames, recommendedVersion] = createPolicies(() => NOW);

class NotApplicable extends Error {}

function resourceArgs(props: Record<string, unknown>, config: object = {}, type = TYPE) {
  return {
    type,
    name: "paris",
    urn: `urn:pulumi:dev::p::${type}::paris`,
    props,
    getConfig: () => config,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  } as unknown as ResourceValidationArgs;
}

let counter = 0;
/** A connector's outputs as the provider stores them after reading it. */
function connector(outputs: Record<string, unknown> = {}, type = TYPE): PolicyResource {
  const name = `c${++counter}`;
  return {
    type,
    name,
    urn: `urn:pulumi:dev::p::${type}::${name}`,
    props: {
      connectorId: `00000000-0000-4000-8000-00000000000${counter % 10}`,
      displayName: `SRV-${name}`,
      version: "6.2504.2001.8",
      state: "active",
      lastConnectionDateTime: at(1),
      adopted: true,
      deleteOnDestroy: false,
      ...outputs,
    },
  } as unknown as PolicyResource;
}

function stackArgs(resources: PolicyResource[], config: object = {}) {
  return {
    resources,
    getConfig: () => config,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  } as unknown as StackValidationArgs;
}

function violations(run: (report: (message: string, urn?: string) => void) => void) {
  const found: { message: string; urn?: string }[] = [];
  run((message, urn) => found.push({ message, urn }));
  return found;
}
const onResource = (args: ResourceValidationArgs) =>
  violations((report) => {
    const validate = declaredVersion.validateResource;
    for (const v of Array.isArray(validate) ? validate : [validate]) void v?.(args, report);
  });
const onStack = (policy: StackValidationPolicy, args: StackValidationArgs) =>
  violations((report) => void policy.validateStack(args, report));

describe("policy pack: intune-connector-version (declared inputs)", () => {
  it("is mandatory by default and stops a version just below the minimum", () => {
    expect(declaredVersion.enforcementLevel).to.equal("mandatory");
    const found = onResource(resourceArgs({ displayName: "x", version: "6.2501.2000.4" }));
    expect(found).to.have.length(1);
    expect(found[0].message).to.contain("Declared version 6.2501.2000.4 is older than 6.2501.2000.5");
  });

  it("lets the minimum itself and later versions pass, and a version that is not declared", () => {
    expect(onResource(resourceArgs({ displayName: "x", version: "6.2501.2000.5" }))).to.deep.equal([]);
    expect(onResource(resourceArgs({ displayName: "x", version: "6.10000.0.0" }))).to.deep.equal([]);
    expect(onResource(resourceArgs({ displayName: "x" }))).to.deep.equal([]);
    expect(onResource(resourceArgs({ displayName: "x", version: null }))).to.deep.equal([]);
  });

  it("takes the minimum from config", () => {
    const args = resourceArgs({ displayName: "x", version: "6.2504.2001.8" }, { minimumVersion: "6.2600" });
    expect(onResource(args)[0].message).to.contain("older than 6.2600");
  });

  it("looks only at DomainJoinConnector resources", () => {
    const other = resourceArgs({ version: "1.0" }, {}, "pulumi-nodejs:dynamic:Resource");
    expect(onResource(other)).to.deep.equal([]);
  });

  it("stops the plugin's connectors as it stops the dynamic ones", () => {
    const found = onResource(resourceArgs({ displayName: "x", version: "6.2501.2000.4" }, {}, PLUGIN_TYPE));
    expect(found).to.have.length(1);
    expect(found[0].message).to.contain("Declared version 6.2501.2000.4 is older");
  });
});

describe("policy pack: intune-connector-health (outputs in state)", () => {
  it("is advisory by default and reports each unhealthy connector on its own URN", () => {
    expect(health.enforcementLevel).to.equal("advisory");
    const good = connector();
    const old = connector({ version: "6.2409.1000.1" });
    const down = connector({ state: "error", lastConnectionDateTime: at(3) });
    const found = onStack(health, stackArgs([good, old, down]));
    expect(found.map((v) => v.urn)).to.deep.equal([old.urn, down.urn]);
    expect(found[0].message).to.contain(`"${old.props.displayName}": version 6.2409.1000.1 is older`);
    expect(found[1].message).to.contain(
      "state is error: no heartbeat for more than an hour (last check-in 3 h ago)",
    );
  });

  it("leaves silence to the state by default, and counts it past a window that config sets", () => {
    const edge = connector({ lastConnectionDateTime: at(24) });
    const past = connector({ lastConnectionDateTime: at(24.1) });
    expect(onStack(health, stackArgs([edge, past]))).to.deep.equal([]);
    const window = (hours: number) => stackArgs([edge, past], { silentAfterHours: hours });
    expect(onStack(health, window(24)).map((v) => v.urn)).to.deep.equal([past.urn]);
    expect(onStack(health, window(25))).to.deep.equal([]);
  });

  it("says a never-connected connector never checked in", () => {
    const found = onStack(health, stackArgs([connector({ lastConnectionDateTime: "0001-01-01T00:00:00Z" })]));
    expect(found.map((v) => v.message)).to.deep.equal([
      `"SRV-c${counter}": has never checked in with Intune`,
    ]);
  });

  it("skips connectors not read yet (a preview's create or adoption) and computed values", () => {
    const planned = connector({ adopted: undefined, version: undefined, state: undefined });
    const computed = connector();
    (computed as { props: unknown }).props = unknownCheckingProxy({
      ...computed.props,
      // What the engine sends for a value a preview cannot know.
      lastConnectionDateTime: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    });
    expect(onStack(health, stackArgs([planned, computed]))).to.deep.equal([]);
  });

  it("skips outputs without an id or a display name, and reads a non-string value as missing", () => {
    const noId = connector({ connectorId: undefined, state: "error" });
    const noName = connector({ displayName: 42, state: "error" });
    expect(onStack(health, stackArgs([noId, noName]))).to.deep.equal([]);
    const odd = connector({ version: 6, state: 1, lastConnectionDateTime: true });
    expect(onStack(health, stackArgs([odd])).map((v) => v.message)).to.deep.equal([
      `"SRV-c${counter}": reports no version, so whether it is older than 6.2501.2000.5 cannot be told`,
      `"SRV-c${counter}": state is unknown, not active: Autopilot does not use it`,
      `"SRV-c${counter}": has never checked in with Intune`,
    ]);
  });

  it("ignores other resource types", () => {
    const other = connector({ state: "error" }, "pulumi-nodejs:dynamic:Resource");
    expect(onStack(health, stackArgs([other]))).to.deep.equal([]);
  });

  it("judges the plugin's connectors too, in a stack that holds both forms", () => {
    const dynamicDown = connector({ state: "error", lastConnectionDateTime: at(3) });
    const pluginDown = connector({ state: "inactive", lastConnectionDateTime: at(200) }, PLUGIN_TYPE);
    const found = onStack(health, stackArgs([dynamicDown, pluginDown, connector({}, PLUGIN_TYPE)]));
    expect(found.map((v) => v.urn)).to.deep.equal([dynamicDown.urn, pluginDown.urn]);
    const twins = [
      connector({ displayName: "SRV-TWIN" }),
      connector({ displayName: "srv-twin " }, PLUGIN_TYPE),
    ];
    expect(onStack(uniqueNames, stackArgs(twins))).to.have.length(1);
  });
});

describe("policy pack: intune-minimum-healthy-connectors", () => {
  it("reports the stack once when fewer than the minimum are healthy, not at the minimum", () => {
    const one = [connector(), connector({ state: "inactive" })];
    const found = onStack(minimumHealthy, stackArgs(one));
    expect(found).to.have.length(1);
    expect(found[0].urn).to.equal(undefined);
    expect(found[0].message).to.equal(
      "The stack's connectors: 1 healthy connector of 2, fewer than the 2 needed for redundancy; no domains were given, so all are counted as one domain",
    );
    expect(onStack(minimumHealthy, stackArgs([connector(), connector()]))).to.deep.equal([]);
  });

  it("counts each domain of its config: one violation per short domain, naming it, with the connectors in no domain", () => {
    const corp = [
      connector({ displayName: "srv01.corp.contoso.com" }),
      connector({ displayName: "srv02.corp.contoso.com" }),
    ];
    const emeaDown = connector({
      displayName: "srv01.emea.contoso.com",
      state: "error",
      lastConnectionDateTime: at(3),
    });
    const lab = connector({ displayName: "LAB-01" });
    const config = {
      domains: { "corp.contoso.com": [], "emea.contoso.com": [], "apac.contoso.com": [] },
      domainPattern: "^[^.]+\\.(.+)$",
    };
    // Without domains the four pass as one; per domain two of three are short.
    expect(onStack(minimumHealthy, stackArgs([...corp, emeaDown, lab]))).to.deep.equal([]);
    const found = onStack(minimumHealthy, stackArgs([...corp, emeaDown, lab], config));
    const note =
      ' (in no domain, so not counted: "LAB-01": its name does not match domainPattern, and it is listed under no domain)';
    expect(found).to.deep.equal([
      {
        message:
          "The stack's connectors: domain emea.contoso.com has 0 healthy connectors of 1 (unhealthy: srv01.emea.contoso.com), " +
          "fewer than the 2 it needs: a connector processes enrollment requests only for its own server's domain, so none are " +
          `processed for emea.contoso.com${note}`,
        urn: undefined,
      },
      {
        message:
          "The stack's connectors: domain apac.contoso.com has no connector, fewer than the 2 it needs: a connector processes " +
          `enrollment requests only for its own server's domain, so none are processed for apac.contoso.com${note}`,
        urn: undefined,
      },
    ]);
    const listed = { domains: { corp: ["srv01.corp.contoso.com", String(corp[1].props.connectorId)] } };
    expect(onStack(minimumHealthy, stackArgs(corp, listed))).to.deep.equal([]);
  });

  it("stops the preview on a config the options' check refuses, with the policy, the key and the reason, and no stack trace", () => {
    const refusal = (config: object) => {
      try {
        onStack(minimumHealthy, stackArgs([connector()], { enforcementLevel: "advisory", ...config }));
      } catch (error) {
        expect((error as Error).stack).to.equal((error as Error).message);
        return (error as Error).message;
      }
      return expect.fail("accepted");
    };
    expect(refusal({ domains: { corp: [] }, domainPattern: "^[^.]+\\..+$" })).to.equal(
      'the config of policy intune-minimum-healthy-connectors: domainPattern "^[^.]+\\\\..+$" has no capture group: put the part of the display name that is the domain in parentheses, e.g. "^[^.]+\\.(.+)$"',
    );
    expect(refusal({ domains: { corp: [], "CORP.": [] } })).to.match(/lists the domain "CORP\." twice/);
    expect(refusal({ domain: { corp: [] } })).to.equal(
      "the config of policy intune-minimum-healthy-connectors: domain is not a health option that this policy takes; accepted: minimumVersion, silentAfterHours, minimumHealthy, domains, domainPattern",
    );
    const c = connector({ displayName: "SRV-A" });
    expect(() =>
      onStack(
        minimumHealthy,
        stackArgs([c], { domains: { corp: ["SRV-A"], emea: [String(c.props.connectorId)] } }),
      ),
    ).to.throw(/the config of policy intune-minimum-healthy-connectors: domains lists the connector "SRV-A"/);
    expect(() => onStack(health, stackArgs([connector()], { minimumHealthy: 3 }))).to.throw(
      "the config of policy intune-connector-health: minimumHealthy is not a health option that this policy takes; accepted: minimumVersion, silentAfterHours",
    );
  });

  it("describes each option of its config schema, domains and domainPattern included", () => {
    const properties = (minimumHealthy.configSchema?.properties ?? {}) as Record<
      string,
      { description?: string }
    >;
    expect(Object.keys(properties)).to.deep.equal([
      "minimumVersion",
      "silentAfterHours",
      "minimumHealthy",
      "domains",
      "domainPattern",
    ]);
    for (const [key, schema] of Object.entries(properties)) {
      expect(schema.description, key).to.be.a("string").with.length.greaterThan(40);
    }
    expect(properties.domains).to.deep.include({
      type: "object",
      additionalProperties: { type: "array", items: { type: "string", minLength: 1 } },
    });
    expect(Object.keys(health.configSchema?.properties ?? {})).to.deep.equal([
      "minimumVersion",
      "silentAfterHours",
    ]);
  });

  it("the README's config table is what the policies' schemas render now (npm run generate)", async () => {
    const file = path.join(__dirname, "..", "..", "..", README_FILE);
    const committed = readFileSync(file, "utf8");
    const rendered = await prettier.format(withConfigTable(committed), {
      ...(await prettier.resolveConfig(file)),
      filepath: file,
    });
    expect(committed === rendered, "out of date: run npm run generate and commit").to.equal(true);
    expect(committed).to.match(/\| `domainPattern` +\| `intune-minimum-healthy-connectors` +\| none +\|/);
  });

  it("takes the minimum and the rules' thresholds from config", () => {
    const fleet = [connector(), connector({ version: "6.2409.1000.1" })];
    expect(onStack(minimumHealthy, stackArgs(fleet, { minimumHealthy: 1 }))).to.deep.equal([]);
    expect(onStack(minimumHealthy, stackArgs(fleet, { minimumVersion: "6.2409" }))).to.deep.equal([]);
  });

  it("is not applicable to a stack with no connector yet", () => {
    expect(() => onStack(minimumHealthy, stackArgs([]))).to.throw(NotApplicable, "manages no connector");
  });
});

describe("policy pack: intune-connector-recommended-version (advice)", () => {
  it("is advisory, reports a supported connector below 6.2504.2001.8 on its URN, and no other policy counts it", () => {
    expect(recommendedVersion.enforcementLevel).to.equal("advisory");
    const older = connector({ version: "6.2501.2000.5" });
    const current = connector({ version: "6.2504.2001.8" });
    const deprecated = connector({ version: "6.2409.1000.1" });
    const found = onStack(recommendedVersion, stackArgs([older, current, deprecated]));
    expect(found).to.deep.equal([
      {
        message: `"${older.props.displayName}": version 6.2501.2000.5 is supported, but Microsoft asks to install 6.2504.2001.8 or later to avoid issues with the Internet Explorer Enhanced Security Configuration setting (advice: the verdict does not change)`,
        urn: older.urn,
      },
    ]);
    expect(onStack(health, stackArgs([older, current]))).to.deep.equal([]);
    expect(onStack(minimumHealthy, stackArgs([older, current]))).to.deep.equal([]);
  });
});

describe("policy pack: intune-unique-display-names", () => {
  it("reports two managed connectors that share a display name, with both ids", () => {
    const a = connector({ displayName: "SRV-TWIN" });
    const b = connector({ displayName: "SRV-TWIN" });
    const found = onStack(uniqueNames, stackArgs([a, b, connector()]));
    expect(found).to.have.length(1);
    expect(found[0].message).to.contain(`2 connectors are named "SRV-TWIN"`);
    expect(found[0].message).to.contain(String(a.props.connectorId));
    expect(found[0].message).to.contain(String(b.props.connectorId));
    expect(onStack(uniqueNames, stackArgs([connector(), connector()]))).to.deep.equal([]);
    // Other fleet findings (here: too few healthy) are not this policy's.
    expect(onStack(uniqueNames, stackArgs([connector({ state: "error" })]))).to.deep.equal([]);
  });
});

describe("one answer for 'the same name': the create guard, the health rules and the policy pack", () => {
  // Names that differ only in letter case or surrounding spaces, and names that differ otherwise.
  const spelling = fc
    .tuple(
      fc.constantFrom("SRV-ODJ-A", "SRV-ODJ-B", "ODJ – Paris"),
      fc.array(fc.boolean(), { minLength: 11, maxLength: 11 }),
      fc.constantFrom("", " ", "  ", "\t"),
      fc.constantFrom("", " ", "\u00a0"),
    )
    .map(([base, upper, before, after]) => {
      const cased = [...base].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch.toLowerCase()));
      return `${before}${cased.join("")}${after}`;
    });

  it("finds two names the same in all three, or in none (fast-check)", () => {
    fc.assert(
      fc.property(spelling, spelling, (first, second) => {
        const a = connector({ displayName: first });
        const b = connector({ displayName: second });
        const guard = namesakes([{ ...(a.props as unknown as GraphConnector) }], second).length > 0;
        const fleet = fleetHealth([a.props, b.props] as unknown as GraphConnector[], NOW);
        const healthRule = fleet.findings.some((f) => f.rule === "uniqueNames");
        const policy = onStack(uniqueNames, stackArgs([a, b])).length > 0;
        expect([healthRule, policy], `${JSON.stringify(first)} / ${JSON.stringify(second)}`).to.deep.equal([
          guard,
          guard,
        ]);
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });

  it("treats SRV-ODJ-A and 'srv-odj-a ' as one name everywhere, naming both spellings", () => {
    const a = connector({ displayName: "SRV-ODJ-A" });
    const b = connector({ displayName: "srv-odj-a " });
    expect(namesakes([a.props as unknown as GraphConnector], "srv-odj-a ")).to.have.length(1);
    const [finding] = onStack(uniqueNames, stackArgs([a, b]));
    expect(finding.message).to.contain(
      '2 connectors share a name, letter case and surrounding spaces aside ("SRV-ODJ-A", "srv-odj-a ")',
    );
  });
});
