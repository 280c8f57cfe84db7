/**
 * The health rules' options, defined once: each option's key, its `intune-health` flag, what it
 * does and its default, and its JSON schema. The policy pack's config schemas, the command's usage
 * and the reference's table (`npm run generate`) are made from these definitions. `parseHealthOptions`
 * is the one check of their values. Every entry point runs it: intune-health's flags and config file,
 * the policy pack's config and the root stack's `health` config. Pure.
 */
import { ConfigurationError } from "../logic/errors";
import { describeValue } from "../connector/values";
import { displayNameKey } from "../connector/ownership";
import { DOTTED_NUMBER, MINIMUM_SUPPORTED_VERSION } from "./versions";

/**
 * Which connectors serve each domain: domain → display names or ids. A domain with `[]` must be
 * served too; `domainPattern` then finds its connectors.
 */
export type DomainConnectors = Readonly<Record<string, readonly string[]>>;

/** What the health rules are told. Each option's meaning and default is in HEALTH_OPTIONS below. */
export interface HealthOptions {
  minimumVersion: string;
  silentAfterHours?: number;
  minimumHealthy: number;
  domains?: DomainConnectors;
  domainPattern?: string;
}

export type HealthOptionKey = keyof HealthOptions;

export interface HealthOptionDefinition {
  /**
   * The rules the option feeds: `connector`, each connector's verdict (version, state, contact);
   * `fleet`, the count of healthy connectors per domain, which needs each verdict as well.
   */
  scope: "connector" | "fleet";
  /** intune-health's flag, and how its value is shown in the usage. */
  flag: string;
  flagValue: string;
  /** What the option does, with its default: the docs' and the policy pack's text. */
  description: string;
  /** The default as the docs' tables show it. */
  shownDefault: string;
  /** The value's JSON schema (the policy pack's config), its default included. */
  schema: Record<string, unknown>;
}

/** An example of a pattern, the one the docs and messages show: the domain of a server's FQDN. */
export const FQDN_DOMAIN_PATTERN = "^[^.]+\\.(.+)$";

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = {
  minimumVersion: MINIMUM_SUPPORTED_VERSION,
  minimumHealthy: 2,
};

export const HEALTH_OPTIONS: Record<HealthOptionKey, HealthOptionDefinition> = {
  minimumVersion: {
    scope: "connector",
    flag: "--min-version",
    flagValue: "V",
    description:
      `Lowest connector version that counts as supported, compared part by part. Default ` +
      `\`${MINIMUM_SUPPORTED_VERSION}\`: Microsoft deprecated the versions before it, which can no longer ` +
      "process enrollment requests.",
    shownDefault: `\`${DEFAULT_HEALTH_OPTIONS.minimumVersion}\``,
    schema: { type: "string", pattern: DOTTED_NUMBER.source, default: DEFAULT_HEALTH_OPTIONS.minimumVersion },
  },
  silentAfterHours: {
    scope: "connector",
    flag: "--silent-after-hours",
    flagValue: "H",
    description:
      "Hours after the last check-in, counted to the moment of judging, after which a connector counts as " +
      "silent whatever its state says. Default: off. Intune already turns a connector `error` after an hour " +
      "without a heartbeat. The window is for readings that age: the policy pack and the stack's `health` " +
      "output judge outputs as of the last refresh, so set it above the refresh interval (25 for a nightly refresh).",
    shownDefault: "off",
    schema: { type: "number", exclusiveMinimum: 0 },
  },
  minimumHealthy: {
    scope: "fleet",
    flag: "--min-healthy",
    flagValue: "N",
    description:
      `Healthy connectors each domain needs; with no \`domains\`, the tenant (or the stack) counts as one ` +
      `domain. Default ${DEFAULT_HEALTH_OPTIONS.minimumHealthy}: Microsoft says additional servers per domain ` +
      "can be set up for redundancy, and that several connectors in a domain increase scale and availability.",
    shownDefault: `\`${DEFAULT_HEALTH_OPTIONS.minimumHealthy}\``,
    schema: { type: "integer", minimum: 0, default: DEFAULT_HEALTH_OPTIONS.minimumHealthy },
  },
  domains: {
    scope: "fleet",
    flag: "--domain",
    flagValue: "DOMAIN[=CONNECTOR,…]",
    description:
      "The Active Directory domains that must each have `minimumHealthy` healthy connectors, with the " +
      "connectors that serve each (display names or ids; `[]` when `domainPattern` finds them), e.g. " +
      '`{"corp.contoso.com": ["ODJ-HQ-01", "ODJ-HQ-02"], "emea.contoso.com": []}`. A connector only ' +
      "processes enrollment requests for its own server's domain, and Intune does not say which domain " +
      "that is, so you say it. A domain with no connector at all is found and reported. Domains compare " +
      "without letter case or a final dot. Default: none, so the tenant counts as one domain.",
    shownDefault: "none: all count as one domain",
    schema: {
      type: "object",
      minProperties: 1,
      additionalProperties: { type: "array", items: { type: "string", minLength: 1 } },
    },
  },
  domainPattern: {
    scope: "fleet",
    flag: "--domain-pattern",
    flagValue: "REGEX",
    description:
      "A regular expression (JavaScript) matched against each connector's display name, letter case aside. " +
      "Its capture group (the only one, or the one named `domain`) is the connector's domain, e.g. " +
      `\`${FQDN_DOMAIN_PATTERN}\` when connectors are named by their server's FQDN. A connector listed in ` +
      "`domains` counts where it is listed. Needs `domains`, so that a domain with no connector is found.",
    shownDefault: "none",
    schema: { type: "string", minLength: 1 },
  },
};

export const HEALTH_OPTION_KEYS = Object.keys(HEALTH_OPTIONS) as HealthOptionKey[];

/** The keys of the options that feed these rules' scopes. */
export function optionKeys(...scopes: HealthOptionDefinition["scope"][]): HealthOptionKey[] {
  return HEALTH_OPTION_KEYS.filter((key) => scopes.includes(HEALTH_OPTIONS[key].scope));
}

/** Where options come from, so that a message names each one as the person wrote it. */
export interface OptionsSource {
  /** How a message names an option, or a key that is not one: a flag, `health.minimumHealthy`. Default: the key. */
  name?: (key: string) => string;
  /** The options this source takes; any other key is refused. Default: all of them. */
  accepted?: readonly HealthOptionKey[];
  /** Who takes only `accepted`, for the message about another key: "this policy". */
  owner?: string;
}

/** Domains compare without letter case or a final dot: CORP.contoso.com. is corp.contoso.com. */
export function domainKey(domain: string): string {
  return domain.toLowerCase().replace(/\.$/, "");
}

// A domain as a person names it: no spaces or control characters (the FQDN, or a short name that
// a naming convention gives, such as EMEA).
// eslint-disable-next-line no-control-regex
const DOMAIN_NAME = /^[^\s\u0000-\u001f\u007f]{1,255}$/;

/** A number, or a string that reads as one (a flag's value). */
function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/**
 * The compiled domainPattern and the capture group that holds the domain, or the reason it
 * cannot be one. Matched without letter case, as display names compare everywhere else.
 */
export function compileDomainPattern(source: string): { pattern: RegExp; group: number | "domain" } | string {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, "i");
  } catch (error) {
    return `is not a regular expression (${(error as Error).message})`;
  }
  // An alternative that matches the empty string shows every group the pattern has.
  const probe = new RegExp(`${source}|`, "i").exec("") as RegExpExecArray;
  if (probe.groups && "domain" in probe.groups) return { pattern, group: "domain" };
  const groups = probe.length - 1;
  if (groups === 1) return { pattern, group: 1 };
  if (groups === 0) {
    return `has no capture group: put the part of the display name that is the domain in parentheses, e.g. "${FQDN_DOMAIN_PATTERN}"`;
  }
  return `has ${groups} capture groups: keep one for the domain and make the others non-capturing, (?:…), or name the domain's (?<domain>…)`;
}

function checkDomains(value: unknown, name: string, problems: string[]): DomainConnectors | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    problems.push(
      `${name} must be an object from each domain to its connectors' display names or ids ([] when ` +
        `domainPattern finds them), e.g. {"corp.contoso.com": ["ODJ-HQ-01"], "emea.contoso.com": []}; got ${describeValue(value)}`,
    );
    return undefined;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) {
    problems.push(
      `${name} is empty: name the domains that must be served, or leave ${name} out to count the tenant as one domain`,
    );
    return undefined;
  }
  const domains = new Map<string, string>();
  const listed = new Map<string, { entry: string; domain: string }>();
  const result: Record<string, string[]> = {};
  for (const [domain, connectors] of entries) {
    if (!DOMAIN_NAME.test(domain)) {
      problems.push(
        `${name}: ${describeValue(domain)} is not a domain name: give it without spaces, e.g. corp.contoso.com`,
      );
      continue;
    }
    const same = domains.get(domainKey(domain));
    if (same !== undefined) {
      problems.push(
        `${name} lists the domain ${JSON.stringify(domain)} twice (as ${JSON.stringify(same)} too; domains compare ` +
          "without letter case or a final dot): list it once",
      );
      continue;
    }
    domains.set(domainKey(domain), domain);
    if (!Array.isArray(connectors)) {
      problems.push(
        `${name}[${JSON.stringify(domain)}] must be a list of connectors' display names or ids ([] when domainPattern ` +
          `finds them), got ${describeValue(connectors)}`,
      );
      continue;
    }
    connectors.forEach((entry: unknown, index) => {
      if (typeof entry !== "string" || entry.trim() === "") {
        problems.push(
          `${name}[${JSON.stringify(domain)}][${index}] must be a connector's display name or id, got ${describeValue(entry)}`,
        );
        return;
      }
      // Names compare as everywhere (letter case and surrounding spaces aside), ids without letter case.
      const other = listed.get(displayNameKey(entry));
      if (other === undefined) {
        listed.set(displayNameKey(entry), { entry, domain });
      } else if (domainKey(other.domain) === domainKey(domain)) {
        problems.push(
          `${name}[${JSON.stringify(domain)}] lists ${JSON.stringify(entry)} twice: list it once`,
        );
      } else {
        problems.push(
          `${name} puts the connector ${JSON.stringify(entry)} in two domains, ${JSON.stringify(other.domain)} and ` +
            `${JSON.stringify(domain)}: a connector serves only the domain of the server it is installed on; list it under that one`,
        );
      }
    });
    result[domain] = connectors as string[];
  }
  return result;
}

/**
 * Checks options as a person gave them (JSON from a config file or a policy's config, or flags
 * turned into that shape) and returns them over the defaults. Every problem is named, with the
 * value and what is accepted; one ConfigurationError carries them all.
 */
export function parseHealthOptions(raw: unknown, source: OptionsSource = {}): HealthOptions {
  const name = source.name ?? ((key: string) => key);
  const accepted = source.accepted ?? HEALTH_OPTION_KEYS;
  const owner = source.owner ? ` that ${source.owner} takes` : "";
  if (raw === undefined || raw === null) return { ...DEFAULT_HEALTH_OPTIONS };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigurationError(
      `the health options must be an object with any of ${accepted.join(", ")}; got ${describeValue(raw)}`,
    );
  }
  const given = raw as Record<string, unknown>;
  const problems: string[] = [];
  const options: HealthOptions = { ...DEFAULT_HEALTH_OPTIONS };
  for (const key of Object.keys(given)) {
    if (given[key] === undefined) continue;
    if (!(accepted as readonly string[]).includes(key)) {
      problems.push(`${name(key)} is not a health option${owner}; accepted: ${accepted.join(", ")}`);
    }
  }
  const value = (key: HealthOptionKey) => (accepted.includes(key) ? given[key] : undefined);

  const version = value("minimumVersion");
  if (version !== undefined) {
    if (typeof version === "string" && DOTTED_NUMBER.test(version)) options.minimumVersion = version;
    else {
      problems.push(
        `${name("minimumVersion")} must be a dotted version number such as ${MINIMUM_SUPPORTED_VERSION}, got ${describeValue(version)}`,
      );
    }
  }
  const hours = value("silentAfterHours");
  if (hours !== undefined) {
    const n = numeric(hours);
    if (n !== undefined && n > 0) options.silentAfterHours = n;
    else
      problems.push(
        `${name("silentAfterHours")} must be a number of hours above 0, got ${describeValue(hours)}`,
      );
  }
  const count = value("minimumHealthy");
  if (count !== undefined) {
    const n = numeric(count);
    if (n !== undefined && Number.isInteger(n) && n >= 0) options.minimumHealthy = n;
    else
      problems.push(
        `${name("minimumHealthy")} must be a whole number, 0 or more, got ${describeValue(count)}`,
      );
  }
  const domains = value("domains");
  if (domains !== undefined) {
    const checked = checkDomains(domains, name("domains"), problems);
    if (checked) options.domains = checked;
  }
  const pattern = value("domainPattern");
  if (pattern !== undefined) {
    if (typeof pattern !== "string" || pattern === "") {
      problems.push(
        `${name("domainPattern")} must be a regular expression whose capture group is the domain, e.g. ` +
          `"${FQDN_DOMAIN_PATTERN}"; got ${describeValue(pattern)}`,
      );
    } else {
      const compiled = compileDomainPattern(pattern);
      if (typeof compiled === "string")
        problems.push(`${name("domainPattern")} ${describeValue(pattern)} ${compiled}`);
      else options.domainPattern = pattern;
      if (domains === undefined) {
        problems.push(
          `${name("domainPattern")} needs ${name("domains")}: the domains that must be served, so that a domain ` +
            "with no connector at all is found",
        );
      }
    }
  }
  if (problems.length) throw new ConfigurationError(problems.join("; "));
  return options;
}
