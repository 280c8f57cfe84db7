/**
 * The health options' one check (parseHealthOptions), which intune-health, the policy pack and the
 * root stack all run: every bad value is named with where it is, what it got and what is accepted.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import {
  HEALTH_OPTIONS,
  compileDomainPattern,
  optionKeys,
  parseHealthOptions,
} from "pulumi-intune-domain-join/internal/health/options";
import { ConfigurationError } from "pulumi-intune-domain-join/internal/logic/errors";

const refused = (raw: unknown, source?: Parameters<typeof parseHealthOptions>[1]) => {
  try {
    parseHealthOptions(raw, source);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError);
    return (error as Error).message;
  }
  return expect.fail(`${JSON.stringify(raw)} was accepted`);
};

describe("health options: what is accepted", () => {
  it("gives the defaults for nothing, and keeps what is given over them", () => {
    expect(parseHealthOptions(undefined)).to.deep.equal({
      minimumVersion: "6.2501.2000.5",
      minimumHealthy: 2,
    });
    expect(parseHealthOptions({})).to.deep.equal({ minimumVersion: "6.2501.2000.5", minimumHealthy: 2 });
    expect(
      parseHealthOptions({
        minimumVersion: "6.2504",
        silentAfterHours: 25,
        minimumHealthy: 3,
        domains: { "corp.contoso.com": ["ODJ-HQ-01"], "emea.contoso.com": [] },
        domainPattern: "^[^.]+\\.(.+)$",
      }),
    ).to.deep.equal({
      minimumVersion: "6.2504",
      silentAfterHours: 25,
      minimumHealthy: 3,
      domains: { "corp.contoso.com": ["ODJ-HQ-01"], "emea.contoso.com": [] },
      domainPattern: "^[^.]+\\.(.+)$",
    });
  });

  it("reads numbers written as text (a flag's value)", () => {
    expect(parseHealthOptions({ minimumHealthy: "1", silentAfterHours: "0.5" })).to.include({
      minimumHealthy: 1,
      silentAfterHours: 0.5,
    });
  });

  it("keeps any set of distinct domains with disjoint connectors as given (fast-check)", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(label, { minLength: 1, maxLength: 5 }),
        fc.uniqueArray(label, { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (domains, names, picks) => {
          const given: Record<string, string[]> = Object.fromEntries(
            domains.map((d) => [`${d}.example`, []]),
          );
          names.forEach((n, i) =>
            given[`${domains[(picks[i] ?? 0) % domains.length]}.example`].push(`SRV-${n}`),
          );
          expect(parseHealthOptions({ domains: given }).domains).to.deep.equal(given);
        },
      ),
      { seed: 20261211, numRuns: 200 },
    );
  });
});

describe("health options: what is refused, and how it is said", () => {
  it("a pattern that is not a regular expression, or has no capture group, or several unnamed", () => {
    const domains = { corp: [] };
    expect(refused({ domains, domainPattern: "^([^.]+\\.(.+)$" })).to.equal(
      'domainPattern "^([^.]+\\\\.(.+)$" is not a regular expression (Invalid regular expression: /^([^.]+\\.(.+)$/i: Unterminated group)',
    );
    expect(refused({ domains, domainPattern: "^[^.]+\\..+$" })).to.equal(
      'domainPattern "^[^.]+\\\\..+$" has no capture group: put the part of the display name that is the domain in parentheses, e.g. "^[^.]+\\.(.+)$"',
    );
    expect(refused({ domains, domainPattern: "^([^.]+)\\.(.+)$" })).to.equal(
      'domainPattern "^([^.]+)\\\\.(.+)$" has 2 capture groups: keep one for the domain and make the others non-capturing, (?:…), or name the domain\'s (?<domain>…)',
    );
    expect(compileDomainPattern("^(?:[^.]+)\\.(.+)$")).to.include({ group: 1 });
    expect(compileDomainPattern("^([^.]+)\\.(?<domain>.+)$")).to.include({ group: "domain" });
    expect(refused({ domains, domainPattern: 42 })).to.equal(
      'domainPattern must be a regular expression whose capture group is the domain, e.g. "^[^.]+\\.(.+)$"; got number 42',
    );
  });

  it("a pattern without the domains that must be served", () => {
    expect(refused({ domainPattern: "^[^.]+\\.(.+)$" })).to.equal(
      "domainPattern needs domains: the domains that must be served, so that a domain with no connector at all is found",
    );
  });

  it("a key that is not an option, with what is accepted", () => {
    expect(refused({ minHealthy: 3 })).to.equal(
      "minHealthy is not a health option; accepted: minimumVersion, silentAfterHours, minimumHealthy, domains, domainPattern",
    );
    expect(
      refused(
        { minimumHealthy: 3 },
        { accepted: ["minimumVersion", "silentAfterHours"], owner: "this policy" },
      ),
    ).to.equal(
      "minimumHealthy is not a health option that this policy takes; accepted: minimumVersion, silentAfterHours",
    );
  });

  it("a domain listed twice, letter case and a final dot aside", () => {
    expect(refused({ domains: { "corp.contoso.com": [], "CORP.contoso.com.": ["ODJ-HQ-01"] } })).to.equal(
      'domains lists the domain "CORP.contoso.com." twice (as "corp.contoso.com" too; domains compare without letter case or a final dot): list it once',
    );
  });

  it("a connector in two domains, or twice in one, by name letter case and spaces aside or by id in any case", () => {
    expect(refused({ domains: { corp: ["ODJ-HQ-01"], emea: [" odj-hq-01"] } })).to.equal(
      'domains puts the connector " odj-hq-01" in two domains, "corp" and "emea": a connector serves only the domain of the server it is installed on; list it under that one',
    );
    const id = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
    expect(refused({ domains: { corp: [id, id.toUpperCase()] } })).to.equal(
      `domains["corp"] lists "${id.toUpperCase()}" twice: list it once`,
    );
  });

  it("domains of the wrong shape: not an object, empty, a domain that is not a name, a list that is not one", () => {
    expect(refused({ domains: ["corp.contoso.com"] })).to.equal(
      'domains must be an object from each domain to its connectors\' display names or ids ([] when domainPattern finds them), e.g. {"corp.contoso.com": ["ODJ-HQ-01"], "emea.contoso.com": []}; got an array',
    );
    expect(refused({ domains: {} })).to.equal(
      "domains is empty: name the domains that must be served, or leave domains out to count the tenant as one domain",
    );
    expect(refused({ domains: { "corp contoso": [] } })).to.equal(
      'domains: "corp contoso" is not a domain name: give it without spaces, e.g. corp.contoso.com',
    );
    expect(refused({ domains: { corp: "ODJ-HQ-01" } })).to.equal(
      'domains["corp"] must be a list of connectors\' display names or ids ([] when domainPattern finds them), got "ODJ-HQ-01"',
    );
    expect(refused({ domains: { corp: ["ODJ-HQ-01", 7, " "] } })).to.equal(
      'domains["corp"][1] must be a connector\'s display name or id, got number 7; domains["corp"][2] must be a connector\'s display name or id, got " "',
    );
  });

  it("thresholds out of range, each named as the source names it, all in one message", () => {
    const flags = { name: (key: string) => ({ minimumHealthy: "--min-healthy" })[key] ?? key };
    expect(refused({ minimumVersion: "latest", silentAfterHours: 0, minimumHealthy: "two" }, flags)).to.equal(
      'minimumVersion must be a dotted version number such as 6.2501.2000.5, got "latest"; ' +
        "silentAfterHours must be a number of hours above 0, got number 0; " +
        '--min-healthy must be a whole number, 0 or more, got "two"',
    );
    expect(refused({ minimumHealthy: 1.5 })).to.equal(
      "minimumHealthy must be a whole number, 0 or more, got number 1.5",
    );
    expect(refused("min-healthy=2")).to.equal(
      'the health options must be an object with any of minimumVersion, silentAfterHours, minimumHealthy, domains, domainPattern; got "min-healthy=2"',
    );
  });
});

describe("health options: one definition", () => {
  it("gives every option a flag, a description and a schema, and sorts them by the rules they feed", () => {
    for (const [key, d] of Object.entries(HEALTH_OPTIONS)) {
      expect(d.flag, key).to.match(/^--[a-z-]+$/);
      expect(d.description.length, key).to.be.greaterThan(40);
      expect(d.schema, key).to.have.property("type");
    }
    expect(optionKeys("connector")).to.deep.equal(["minimumVersion", "silentAfterHours"]);
    expect(optionKeys("fleet")).to.deep.equal(["minimumHealthy", "domains", "domainPattern"]);
  });
});
