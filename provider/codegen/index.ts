/**
 * The files derived from the connector's definition, the settings and the health options that
 * are committed: the dynamic form's TypeScript types and the reference's tables. (The package
 * schema and the SDKs are derived too; `npm run sdks` writes them; the policy pack's README table
 * is written by the pack, policy/readme.ts.) `npm run generate` writes these; a unit test holds
 * the committed files to them.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { REFERENCE_FILE, withReferenceTables } from "./reference";
import { RESOURCE_TYPES_FILE, renderResourceTypes } from "./typescript";

/** A file's text as the repository should hold it, by its path from the repository's root. */
export interface GeneratedFile {
  path: string;
  text: string;
}

/** Formats a file's text as the repository's formatter does (prettier, given by the caller). */
export type Formatter = (text: string, filePath: string) => Promise<string>;

export async function generatedFiles(root: string, format: Formatter): Promise<GeneratedFile[]> {
  const reference = readFileSync(path.join(root, REFERENCE_FILE), "utf8");
  const files = [
    { path: RESOURCE_TYPES_FILE, text: renderResourceTypes() },
    { path: REFERENCE_FILE, text: withReferenceTables(reference) },
  ];
  return Promise.all(
    files.map(async (file) => ({
      path: file.path,
      text: await format(file.text, path.join(root, file.path)),
    })),
  );
}
