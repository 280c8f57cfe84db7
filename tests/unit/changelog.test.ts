/**
 * The release notes a tag gets (scripts/changelog.mjs), from a real git repository made here:
 * only the commits since the previous tag, grouped by the issue each names, the rest last.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const SCRIPT = path.join(__dirname, "..", "..", "..", "scripts", "changelog.mjs");

describe("release notes (scripts/changelog.mjs)", () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args]);
  const commit = (subject: string) => {
    writeFileSync(path.join(repo, "file"), subject);
    git("add", "file");
    git("commit", "-qm", subject);
  };
  const notes = (tag: string) =>
    execFileSync(process.execPath, [SCRIPT, tag, "--repo", repo], { encoding: "utf8" });

  before(() => {
    repo = mkdtempSync(path.join(tmpdir(), "intune-changelog-"));
    git("init", "-q");
    commit("First things (#1)");
    git("tag", "v0.1.0");
    commit("The plugin (#21)");
    commit("Format a file");
    commit("YAML example (#21)");
    commit("Fix a message (#20)");
    git("tag", "v0.2.0");
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it("lists the commits since the previous tag by issue, lowest first, the others last", () => {
    expect(notes("v0.2.0")).to.equal(
      [
        "# v0.2.0",
        "",
        "Changes since v0.1.0.",
        "",
        "## #20",
        "",
        "- Fix a message",
        "",
        "## #21",
        "",
        "- YAML example",
        "- The plugin",
        "",
        "## Other changes",
        "",
        "- Format a file",
        "",
      ].join("\n"),
    );
  });

  it("lists every commit for the first release", () => {
    expect(notes("v0.1.0")).to.equal("# v0.1.0\n\nThe first release.\n\n## #1\n\n- First things\n");
  });
});
