import { expect } from "chai";
import { checkCheckpoint } from "pulumi-intune-domain-join/internal/state/local-backend";
import {
  explainLocked,
  lockRefusal,
  lockedStackMessage,
} from "pulumi-intune-domain-join/internal/state/stack-lock";

// Pulumi 3.276's refusal, as an azblob:// backend on Azurite printed it (the URL keeps its query).
const WHERE =
  "azblob://killed/.pulumi/locks/organization/intune-azblob/prod/804e9688-7db1-4714-bf00-5befbd7ed500.json" +
  "?domain=127.0.0.1:38625&protocol=http&localemu=true";
const REFUSAL = [
  "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
  `  ${WHERE}: created by root@vm (pid 10944) at 2026-12-07T05:32:53Z`,
  "",
].join("\n");

describe("a locked stack (intune-repair-pending on any backend)", () => {
  it("reads each lock Pulumi names, once, from the Automation API's error (which holds the output twice)", () => {
    const error = `code: 1\n stdout: \n stderr: ${REFUSAL}\n err?: Error: ${REFUSAL}`;
    expect(lockRefusal(error)).to.deep.equal([
      { where: WHERE, user: "root", host: "vm", pid: 10944, since: "2026-12-07T05:32:53Z" },
    ]);
    const two =
      REFUSAL.replace("1 lock(s)", "2 lock(s)") +
      `  ${WHERE.replace("804e", "905f")}: created by ci@runner-7 (pid 42) at 2026-12-07T05:33:00Z\n`;
    expect(lockRefusal(two)?.map((l) => `${l.user}@${l.host}:${l.pid}`)).to.deep.equal([
      "root@vm:10944",
      "ci@runner-7:42",
    ]);
  });

  it("is no refusal for any other failure", () => {
    expect(lockRefusal("error: failed to load checkpoint: EOF")).to.equal(undefined);
    const other = new Error("error: no stack named 'prod' found");
    expect(explainLocked(other, "prod")).to.equal(other);
  });

  it("says, for each lock, whether its process is gone (this host only) and how to release them", () => {
    const [lock] = lockRefusal(REFUSAL)!;
    const gone = lockedStackMessage("prod", [lock], "vm", () => false);
    expect(gone.split("\n")).to.deep.equal([
      "the stack prod is locked, so its state cannot be written; nothing was changed:",
      `  ${WHERE}: created by root@vm (pid 10944) at 2026-12-07T05:32:53Z: its process is gone from this host (a killed run)`,
      "A killed pulumi command leaves its lock behind. Once no pulumi command runs on this stack, " +
        "`pulumi cancel --stack prod --yes` releases every lock of it; then run intune-repair-pending again.",
    ]);
    expect(lockedStackMessage("prod", [lock], "vm", () => true)).to.contain(
      "its process still runs on this host: let it finish",
    );
    // A pid of another host says nothing here, whatever runs under that number.
    expect(lockedStackMessage("prod", [lock], "laptop", () => false)).to.contain(
      "taken on another host, where it may still run",
    );
    const explained = explainLocked(new Error(REFUSAL), "prod") as Error;
    expect(explained.message).to.match(/^the stack prod is locked/);
    expect(explained.message).to.contain("(pid 10944)");
  });

  it("the checkpoint check names a backend it does not cover by its scheme alone, never its credentials", () => {
    const printed: string[] = [];
    const log = console.log;
    console.log = (line: string) => void printed.push(line);
    try {
      expect(checkCheckpoint("prod", false, "azblob://state?domain=127.0.0.1:10000&protocol=http")).to.equal(
        true,
      );
      expect(checkCheckpoint("prod", true, "postgres://pulumi:s3cret@db.example/state")).to.equal(true);
    } finally {
      console.log = log;
    }
    expect(printed).to.deep.equal([
      "checkpoint: not checked: checkpoint repair covers file:// backends only (this backend: azblob://)",
      "checkpoint: not checked: checkpoint repair covers file:// backends only (this backend: postgres://)",
    ]);
  });
});
