/**
 * The table of policy/README.md that says which policy takes which option, and its default,
 * written by `npm run generate` from the policies' config schemas, which are made from the health
 * options' one definition (pulumi-intune-domain-join/rules). What each option means is in the
 * reference's table, written from the same definition.
 */
import { HEALTH_OPTIONS, HealthOptionKey } from "pulumi-intune-domain-join/rules";
import { createPolicies } from "./policies";

/** Where the README is, from the repository's root. */
export const README_FILE = "policy/README.md";

const BEGIN = "<!-- generated: config -->";
const END = "<!-- end: config -->";

/** Each option a policy takes: the policies that take it, and its default. */
export function configTable(): string {
  const policies = createPolicies();
  const keys = [
    ...new Set(policies.flatMap((p) => Object.keys(p.configSchema?.properties ?? {}))),
  ] as HealthOptionKey[];
  const rows = keys.map((key) => {
    const takers = policies.filter((p) => p.configSchema?.properties?.[key]).map((p) => `\`${p.name}\``);
    return `| \`${key}\` | ${takers.join(", ")} | ${HEALTH_OPTIONS[key].shownDefault} |`;
  });
  return ["| key | policies | default |", "| --- | --- | --- |", ...rows].join("\n");
}

/** The README with its config table rendered anew between the markers. */
export function withConfigTable(readme: string): string {
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${README_FILE} lacks the markers ${BEGIN} … ${END}`);
  return `${readme.slice(0, from + BEGIN.length)}\n\n${configTable()}\n\n${readme.slice(to)}`;
}
