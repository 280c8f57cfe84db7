// `node scripts/changelog.mjs <tag> [--repo <dir>]`: the release notes of <tag>, from the commits
// since the tag before it (all commits for the first release), grouped by the issue each names
// ("(#21)"); commits that name none are listed last. Markdown on stdout.
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { repo: { type: "string", default: process.cwd() } },
});
const tag = positionals[0];
if (!tag) {
  console.error("usage: node scripts/changelog.mjs <tag> [--repo <dir>]");
  process.exit(2);
}
const git = (...args) => execFileSync("git", ["-C", values.repo, ...args], { encoding: "utf8" }).trim();

let previous = "";
try {
  previous = git("describe", "--tags", "--abbrev=0", `${tag}^`);
} catch {
  // the first release: every commit up to the tag
}
const range = previous ? `${previous}..${tag}` : tag;
const subjects = git("log", "--no-merges", "--format=%s", range).split("\n").filter(Boolean);

const byIssue = new Map();
for (const subject of subjects) {
  const issue = /\(#(\d+)\)\s*$/.exec(subject)?.[1] ?? "";
  const text = subject.replace(/\s*\(#\d+\)\s*$/, "");
  byIssue.set(issue, [...(byIssue.get(issue) ?? []), text]);
}
const issues = [...byIssue.keys()].filter(Boolean).sort((a, b) => Number(a) - Number(b));
const lines = [`# ${tag}`, "", previous ? `Changes since ${previous}.` : "The first release.", ""];
for (const issue of [...issues, ...(byIssue.has("") ? [""] : [])]) {
  lines.push(issue ? `## #${issue}` : "## Other changes", "");
  for (const text of byIssue.get(issue)) lines.push(`- ${text}`);
  lines.push("");
}
process.stdout.write(lines.join("\n"));
