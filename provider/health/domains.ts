/**
 * Which domain each connector serves. A connector only processes enrollment requests for the
 * domain of the server it is installed on (Learn, autopilot/windows-autopilot-hybrid), and the
 * Graph entity does not say which domain that is, so the options say it: by listing connectors
 * under each domain, or by a pattern over display names. Pure.
 */
import { GraphConnector } from "../connector/definition";
import { displayNameKey, idKey } from "../connector/ownership";
import { ConfigurationError } from "../logic/errors";
import { HealthOptions, compileDomainPattern, domainKey } from "./options";

export interface DomainMembers {
  /** The domain as the options name it. */
  domain: string;
  /** Positions in the connector list of the connectors it counts, in list order. */
  members: number[];
  /** Entries listed under it that match no connector given. */
  notFound: string[];
}

export interface DomainAssignment {
  /** Each domain of the options, in their order. */
  domains: DomainMembers[];
  /** The connectors in no domain (by position), and why. */
  unassigned: { index: number; reason: string }[];
}

/**
 * Assigns each connector to a domain: where `domains` lists it (by display name, letter case and
 * surrounding spaces aside, or by id), else where `domainPattern` puts it; else to none. A
 * connector listed under two domains (once by name, once by id) is an error in the options.
 */
export function assignDomains(
  connectors: readonly GraphConnector[],
  options: Pick<HealthOptions, "domains" | "domainPattern">,
): DomainAssignment {
  const given = Object.entries(options.domains ?? {});
  const domains: DomainMembers[] = given.map(([domain]) => ({ domain, members: [], notFound: [] }));
  const byKey = new Map(domains.map((d) => [domainKey(d.domain), d]));
  const listedIn: (DomainMembers | undefined)[] = connectors.map(() => undefined);
  const listedAs: string[] = [];

  given.forEach(([, entries], at) => {
    for (const entry of entries) {
      let found = false;
      connectors.forEach((c, index) => {
        const byName = c.displayName !== null && displayNameKey(c.displayName) === displayNameKey(entry);
        if (!byName && idKey(c.id) !== idKey(entry)) return;
        found = true;
        const other = listedIn[index];
        if (other && other !== domains[at]) {
          throw new ConfigurationError(
            `domains lists the connector ${JSON.stringify(c.displayName)} (${c.id}) under ${JSON.stringify(other.domain)} ` +
              `as ${JSON.stringify(listedAs[index])} and under ${JSON.stringify(domains[at].domain)} as ${JSON.stringify(entry)}: ` +
              "a connector serves only the domain of the server it is installed on; list it under that one",
          );
        }
        listedIn[index] = domains[at];
        listedAs[index] = entry;
      });
      if (!found) domains[at].notFound.push(entry);
    }
  });

  const compiled =
    options.domainPattern === undefined ? undefined : compileDomainPattern(options.domainPattern);
  // parseHealthOptions refuses a pattern that does not compile; this is a guard for direct callers.
  if (typeof compiled === "string") throw new ConfigurationError(`domainPattern ${compiled}`);

  const unassigned: DomainAssignment["unassigned"] = [];
  connectors.forEach((c, index) => {
    const listed = listedIn[index];
    if (listed) {
      listed.members.push(index);
      return;
    }
    if (!compiled) {
      unassigned.push({ index, reason: "it is listed under no domain" });
      return;
    }
    if (c.displayName === null) {
      unassigned.push({
        index,
        reason: "it has no display name for domainPattern, and is listed under no domain",
      });
      return;
    }
    const match = compiled.pattern.exec(c.displayName);
    const captured = match
      ? compiled.group === "domain"
        ? match.groups?.domain
        : match[compiled.group]
      : undefined;
    const domain = captured ? byKey.get(domainKey(captured)) : undefined;
    if (domain) {
      domain.members.push(index);
    } else if (!match) {
      unassigned.push({
        index,
        reason: "its name does not match domainPattern, and it is listed under no domain",
      });
    } else if (!captured) {
      unassigned.push({ index, reason: "domainPattern matches its name but captures no domain" });
    } else {
      unassigned.push({
        index,
        reason: `its name gives the domain ${JSON.stringify(captured)}, which is not one of the domains given`,
      });
    }
  });
  return { domains, unassigned };
}
