/**
 * Writes the reference's tables (docs/reference.md) from the connector's definition, the
 * settings and the health options, as tfplugindocs writes a provider's docs from its schema: the
 * resource's inputs and outputs, the provider's config, the provider process's switches and the
 * health rules' options. Each table sits in the document between two markers; what is around
 * them is written by hand.
 */
import { SETTINGS, type SettingDefinition } from "../config/settings";
import {
  INPUT_PROPERTIES,
  OUTPUT_PROPERTIES,
  inputDefinition,
  propertyDefinition,
} from "../connector/definition";
import { PACKAGE_NAME } from "../connector/constants";
import { HEALTH_OPTIONS, HEALTH_OPTION_KEYS } from "../health/options";

/** Where the tables are, from the repository's root. */
export const REFERENCE_FILE = "docs/reference.md";

/** A table's name in its markers: `<!-- generated: inputs -->` … `<!-- end: inputs -->`. */
export type ReferenceTable = "inputs" | "outputs" | "config" | "environment" | "health-options";

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|");

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

function inputsTable(): string {
  return table(
    ["input", "type", "description"],
    INPUT_PROPERTIES.map((name) => {
      const d = inputDefinition(name);
      const kind = d.deprecationMessage ? "deprecated" : d.required ? "required" : "optional";
      const replaces = d.replaceOnChanges ? ", replaces" : "";
      return [code(name), `${d.type}, ${kind}${replaces}`, d.description];
    }),
  );
}

function outputsTable(): string {
  return table(
    ["output", "type", "description"],
    OUTPUT_PROPERTIES.map((name) => {
      const d = propertyDefinition(name);
      const output = d.output;
      const kind = output?.optional ? ", optional" : output?.nullable ? ", nullable" : "";
      return [code(name), `${d.type}${kind}`, output?.description ?? d.description];
    }),
  );
}

const settings = (envOnly: boolean) =>
  (Object.values(SETTINGS) as SettingDefinition[]).filter((s) => Boolean(s.envOnly) === envOnly);
const variables = (s: SettingDefinition) => s.env.map(code).join(" or ");

function configTable(): string {
  return table(
    ["config key", "environment", "meaning"],
    settings(false).map((s) => [
      `${code(`${PACKAGE_NAME}:${s.key}`)}${s.secret ? " (secret)" : ""}${s.type ? ` (${s.type})` : ""}`,
      variables(s),
      s.description,
    ]),
  );
}

function environmentTable(): string {
  return table(
    ["environment", "meaning"],
    settings(true).map((s) => [`${variables(s)}${s.secret ? " (secret)" : ""}`, s.description]),
  );
}

/** The health rules' options (provider/health/options.ts): one key in every entry point, one flag. */
function healthOptionsTable(): string {
  return table(
    ["option", "`intune-health`", "default", "meaning"],
    HEALTH_OPTION_KEYS.map((key) => {
      const d = HEALTH_OPTIONS[key];
      return [code(key), code(`${d.flag} ${d.flagValue}`), d.shownDefault, d.description];
    }),
  );
}

const RENDERERS: Record<ReferenceTable, () => string> = {
  inputs: inputsTable,
  outputs: outputsTable,
  config: configTable,
  environment: environmentTable,
  "health-options": healthOptionsTable,
};

/**
 * The document with each table between its markers rendered anew. A marker that is missing is an
 * error: a table nobody places is a table nobody reads.
 */
export function withReferenceTables(document: string): string {
  let text = document;
  for (const [name, render] of Object.entries(RENDERERS)) {
    const begin = `<!-- generated: ${name} -->`;
    const end = `<!-- end: ${name} -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${REFERENCE_FILE} lacks the markers ${begin} … ${end}`);
    text = `${text.slice(0, from + begin.length)}\n\n${render()}\n\n${text.slice(to)}`;
  }
  return text;
}
