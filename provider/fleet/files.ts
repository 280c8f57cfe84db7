/**
 * The fleet's files: the fleet file read (YAML or JSON) and checked, digests of its tenants (for
 * --resume and merge), and documents written whole (a reader never sees half a record).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CORE_SCHEMA, load } from "js-yaml";
import { Fleet, FleetFileError, FleetTenant, parseFleet } from "./fleet-file";

/** The fleet file's content: YAML (`.yaml`, `.yml`) or JSON (`.json`); throws FleetFileError. */
export function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new FleetFileError([`cannot read the fleet file ${file}: ${(error as Error).message}`]);
  }
  try {
    if (file.toLowerCase().endsWith(".json")) return JSON.parse(text);
    // The core schema: no dates or other types a JSON document cannot hold.
    return load(text, { filename: file, schema: CORE_SCHEMA });
  } catch (error) {
    const message = (error as Error).message.split("\n")[0];
    throw new FleetFileError([`${file} is not ${file.endsWith(".json") ? "JSON" : "YAML"}: ${message}`]);
  }
}

/** The fleet file read and checked; every problem names the file. */
export function loadFleet(file: string, options: { stackPrefix?: string } = {}): Fleet {
  const document = readDocument(file);
  try {
    return parseFleet(document, options);
  } catch (error) {
    if (error instanceof FleetFileError) {
      const n = error.problems.length;
      throw new FleetFileError([
        `${file}: ${n} problem${n === 1 ? "" : "s"}`,
        ...error.problems.map((p) => `  ${p}`),
      ]);
    }
    throw error;
  }
}

const sha256 = (value: unknown) =>
  createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);

/** A tenant's entry as the fleet runs it (the project included): changes when any of it does. */
export function tenantDigest(project: string, tenant: FleetTenant): string {
  return sha256({ project, tenant });
}

/** The whole fleet: summaries of one fleet's shards have the same. */
export function fleetDigest(fleet: Fleet): string {
  return sha256({
    project: fleet.project,
    tenants: fleet.tenants.map((t) => tenantDigest(fleet.project, t)),
  });
}

/** Writes a file whole: to a temporary name beside it, then renamed over it. */
export function writeWhole(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
