/**
 * The create journal (provider/connector/create-journal.ts) on real files in a temp dir: where notes
 * go, their exact contents and modes, how they are settled, which old notes are pruned, and
 * which files count as notes.
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  journalDir,
  readIntents,
  recordIntent,
} from "pulumi-intune-domain-join/internal/connector/create-journal";

/** A note's file name: a random (v4) UUID and .json. */
const NOTE_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.json$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const FIELDS = { displayName: "Branch office", version: "6.2504.2001.8", state: "active" };

describe("create journal", () => {
  let root: string;
  let journal: string;
  let savedUmask: number;

  // A known umask, so that a file or folder written without an explicit mode shows (0o644, 0o755).
  before(() => {
    savedUmask = process.umask(0o022);
  });
  after(() => {
    process.umask(savedUmask);
  });
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "create-journal-test-"));
    journal = path.join(root, "journal");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const envFor = (dir: string): NodeJS.ProcessEnv => ({ INTUNE_CREATE_JOURNAL: dir });
  const mode = (p: string): number => statSync(p).mode & 0o777;
  const hoursAgo = (hours: number): string => new Date(Date.now() - hours * 3_600_000).toISOString();

  function writeNote(dir: string, name: string, note: unknown): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, name), typeof note === "string" ? note : JSON.stringify(note));
  }

  /** The one note recordIntent wrote in the folder (fails unless there is exactly one). */
  function theNewNote(dir: string): string {
    const names = readdirSync(dir).filter((n) => NOTE_NAME.test(n));
    expect(names).to.have.length(1);
    return path.join(dir, names[0]);
  }

  describe("journalDir", () => {
    it("is INTUNE_CREATE_JOURNAL when set", () => {
      expect(journalDir({ INTUNE_CREATE_JOURNAL: "/var/lib/intune-journal" })).to.equal(
        "/var/lib/intune-journal",
      );
    });

    it("is pulumi-intune-create-journal in the machine's temp dir when INTUNE_CREATE_JOURNAL is unset or empty", () => {
      const expected = path.join(tmpdir(), "pulumi-intune-create-journal");
      expect(journalDir({})).to.equal(expected);
      expect(journalDir({ INTUNE_CREATE_JOURNAL: "" })).to.equal(expected);
    });
  });

  describe("recordIntent", () => {
    it("writes one <uuid>.json note (mode 0600) holding the fields, the ids seen before and the time, creating its folder and parents (mode 0700)", () => {
      const nested = path.join(root, "a", "b", "journal");
      recordIntent(FIELDS, new Set(["id-1", "id-2"]), envFor(nested));
      expect(readdirSync(nested)).to.have.length(1);
      const file = theNewNote(nested);
      expect(mode(file)).to.equal(0o600);
      expect(mode(nested)).to.equal(0o700);
      expect(mode(path.join(root, "a"))).to.equal(0o700);
      expect(mode(path.join(root, "a", "b"))).to.equal(0o700);
      const text = readFileSync(file, "utf8");
      const at = (JSON.parse(text) as { at: unknown }).at;
      expect(at).to.be.a("string").and.to.match(ISO_TIME);
      expect(text).to.equal(
        `{"displayName":"Branch office","version":"6.2504.2001.8","state":"active","before":["id-1","id-2"],"at":"${String(at)}"}`,
      );
    });

    it("settled with the new id, rewrites the note with made added, still mode 0600", () => {
      const settle = recordIntent(FIELDS, new Set(["id-1"]), envFor(journal));
      const file = theNewNote(journal);
      const at = (JSON.parse(readFileSync(file, "utf8")) as { at: string }).at;
      settle("new-id");
      expect(readdirSync(journal)).to.deep.equal([path.basename(file)]);
      expect(readFileSync(file, "utf8")).to.equal(
        `{"displayName":"Branch office","version":"6.2504.2001.8","state":"active","before":["id-1"],"at":"${at}","made":"new-id"}`,
      );
      expect(mode(file)).to.equal(0o600);
    });

    it("settled without an id (nothing was made), removes the note", () => {
      const settle = recordIntent(FIELDS, new Set(), envFor(journal));
      theNewNote(journal);
      settle();
      expect(readdirSync(journal)).to.deep.equal([]);
    });

    it("settled with the new id after its note was removed, writes the note again with mode 0600", () => {
      const settle = recordIntent(FIELDS, new Set(), envFor(journal));
      const file = theNewNote(journal);
      rmSync(file);
      settle("new-id");
      expect(mode(file)).to.equal(0o600);
      expect(JSON.parse(readFileSync(file, "utf8"))).to.include({
        made: "new-id",
        displayName: "Branch office",
      });
    });

    it("drops notes of made creates older than a day; keeps made notes younger than a day and unsettled notes of any age", () => {
      writeNote(journal, "old-made.json", { displayName: "a", before: [], at: hoursAgo(48), made: "id-a" });
      writeNote(journal, "recent-made.json", { displayName: "b", before: [], at: hoursAgo(1), made: "id-b" });
      writeNote(journal, "old-unsettled.json", { displayName: "c", before: [], at: hoursAgo(48) });
      recordIntent(FIELDS, new Set(), envFor(journal));
      theNewNote(journal);
      expect(
        readdirSync(journal)
          .filter((n) => !NOTE_NAME.test(n))
          .sort(),
      ).to.deep.equal(["old-unsettled.json", "recent-made.json"]);
    });

    it("keeps a made note exactly 24 h old and drops one 24 h and 1 ms old (clock fixed)", () => {
      writeNote(journal, "exactly-a-day.json", {
        displayName: "a",
        before: [],
        at: "2030-01-01T00:00:00.000Z",
        made: "id-a",
      });
      writeNote(journal, "a-day-and-1-ms.json", {
        displayName: "b",
        before: [],
        at: "2029-12-31T23:59:59.999Z",
        made: "id-b",
      });
      const realNow = Date.now;
      Date.now = () => Date.parse("2030-01-02T00:00:00.000Z");
      try {
        recordIntent(FIELDS, new Set(), envFor(journal));
      } finally {
        Date.now = realNow;
      }
      expect(readdirSync(journal).filter((n) => !NOTE_NAME.test(n))).to.deep.equal(["exactly-a-day.json"]);
    });

    it("does not throw when the note cannot be written, and its settle writes nothing later", () => {
      const blocked = path.join(root, "blocked");
      writeFileSync(blocked, "a file where the journal folder should be");
      const settle = recordIntent(FIELDS, new Set(), envFor(blocked));
      // The folder becomes writable afterwards: the note was never written, so settling records nothing.
      rmSync(blocked);
      mkdirSync(blocked);
      settle("new-id");
      expect(readdirSync(blocked)).to.deep.equal([]);
    });
  });

  describe("readIntents", () => {
    it("lists only .json files holding a note (before a list, at a string)", () => {
      const valid = { displayName: "v", before: ["x"], at: "2030-01-01T00:00:00.000Z" };
      writeNote(journal, "valid.json", valid);
      writeNote(journal, "note.txt", { displayName: "t", before: [], at: "2030-01-02T00:00:00.000Z" });
      writeNote(journal, "no-before.json", { displayName: "n", at: "2030-01-03T00:00:00.000Z" });
      writeNote(journal, "no-at.json", { displayName: "n", before: [] });
      writeNote(journal, "numeric-at.json", { displayName: "n", before: [], at: 5 });
      writeNote(journal, "broken.json", "{");
      expect(readIntents(envFor(journal))).to.deep.equal([
        { file: path.join(journal, "valid.json"), intent: valid },
      ]);
    });

    it("lists notes newest first, whatever the order of their file names", () => {
      // The same names, created in the same order, in two folders with opposite times: unsorted,
      // both folders would list in one order.
      const names = ["n1.json", "n2.json", "n3.json", "n4.json"];
      const days = ["01", "02", "03", "04"];
      const rising = path.join(root, "rising");
      const falling = path.join(root, "falling");
      names.forEach((name, i) => {
        writeNote(rising, name, { displayName: name, before: [], at: `2030-01-${days[i]}T00:00:00.000Z` });
        writeNote(falling, name, {
          displayName: name,
          before: [],
          at: `2030-01-${days[3 - i]}T00:00:00.000Z`,
        });
      });
      expect(readIntents(envFor(rising)).map((n) => path.basename(n.file))).to.deep.equal([
        "n4.json",
        "n3.json",
        "n2.json",
        "n1.json",
      ]);
      expect(readIntents(envFor(falling)).map((n) => path.basename(n.file))).to.deep.equal([
        "n1.json",
        "n2.json",
        "n3.json",
        "n4.json",
      ]);
    });
  });
});
