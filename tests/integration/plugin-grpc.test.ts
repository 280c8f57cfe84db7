// The intune plugin as the engine meets it: the built `pulumi-resource-intune` in its own process,
// spoken to over gRPC with Pulumi's own protocol classes. The config path — CheckConfig, DiffConfig,
// then Configure with what CheckConfig answered — decides which tenant every later call reaches, so
// it is tested here call by call: a CheckConfig that answered the old settings, or a Configure that
// kept them, would send a changed tenant's calls to the old one. Two emulators are the two tenants.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { Emulator } from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import { PLUGIN_MAIN, pluginSettingsOf } from "intune-test-support/plugin";

const pulumiRoot = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiRoot] }));
/* eslint-disable @typescript-eslint/no-explicit-any -- the generated protocol classes are untyped */
const grpc = fromPulumi("@grpc/grpc-js");
const proto = fromPulumi("@pulumi/pulumi/proto/provider_pb.js");
const services = fromPulumi("@pulumi/pulumi/proto/provider_grpc_pb.js");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb.js");

const URN = "urn:pulumi:dev::fleet::intune:index:DomainJoinConnector::hq";

/** One unary call, as a promise. */
function call<T>(client: any, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, (error: unknown, response: T) => (error ? reject(error) : resolve(response))),
  );
}

describe("the intune plugin over gRPC: the engine's config calls decide the tenant", function () {
  this.timeout(60_000);
  let tenantA: Emulator;
  let tenantB: Emulator;
  let plugin: ChildProcess;
  let client: any;
  const ONLY_IN_B = "6f1c2d3e-4b5a-4978-8c1d-2e3f4a5b6c7d";

  before(async () => {
    [tenantA, tenantB] = await Promise.all([startTestEmulator({ seed: 0 }), startTestEmulator({ seed: 0 })]);
    tenantB.seed([{ id: ONLY_IN_B, displayName: "ODJ-B-SRV01", version: "6.2504.2001.8" }]);
    plugin = spawn(process.execPath, [PLUGIN_MAIN], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, AZURE_TENANT_ID: "", AZURE_CLIENT_ID: "", AZURE_CLIENT_SECRET: "" },
    });
    // A plugin prints the port it serves on, as the engine expects.
    const port = await new Promise<string>((resolve, reject) => {
      plugin.stdout?.once("data", (data: Buffer) => resolve(data.toString().trim()));
      plugin.once("exit", (code) => reject(new Error(`the plugin exited with ${code}`)));
    });
    client = new services.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    plugin?.kill();
    await Promise.all([tenantA?.close(), tenantB?.close()]);
  });

  it("CheckConfig answers the new settings, DiffConfig updates in place, and Configure sends every call to the new tenant", async () => {
    const olds = pluginSettingsOf(tenantA);
    const news = pluginSettingsOf(tenantB);
    const check = new proto.CheckRequest();
    check.setUrn("urn:pulumi:dev::fleet::pulumi:providers:intune::default");
    check.setOlds(Struct.fromJavaScript(olds));
    check.setNews(Struct.fromJavaScript(news));
    const checked = await call<any>(client, "checkConfig", check);
    expect(checked.getInputs().toJavaScript()).to.deep.equal(news);

    const diff = new proto.DiffRequest();
    diff.setOlds(Struct.fromJavaScript(olds));
    diff.setOldInputs(Struct.fromJavaScript(olds));
    diff.setNews(checked.getInputs());
    const diffed = await call<any>(client, "diffConfig", diff);
    expect(diffed.getChanges()).to.equal(proto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(diffed.getReplacesList()).to.deep.equal([]);

    // The engine configures the provider with the inputs CheckConfig answered.
    const configure = new proto.ConfigureRequest();
    for (const [key, value] of Object.entries(checked.getInputs().toJavaScript() as Record<string, string>)) {
      configure.getVariablesMap().set(key, value);
    }
    await call(client, "configure", configure);

    tenantA.clearLog();
    tenantB.clearLog();
    const read = new proto.ReadRequest();
    read.setId(ONLY_IN_B);
    read.setUrn(URN);
    read.setProperties(Struct.fromJavaScript({}));
    const imported = await call<any>(client, "read", read);
    expect(imported.getId()).to.equal(ONLY_IN_B);
    expect(imported.getInputs().toJavaScript()).to.deep.equal({
      displayName: "ODJ-B-SRV01",
      connectorId: ONLY_IN_B,
    });
    expect(tenantA.summaryLine()).to.equal("Graph: no requests");
    expect(tenantB.summary().GET).to.be.greaterThan(0);
  });

  it("Diff hands the engine the detailed diff, against what state holds, so a preview shows drift", async () => {
    const diff = new proto.DiffRequest();
    diff.setId(ONLY_IN_B);
    diff.setUrn(URN);
    // After a refresh found the portal's rename: state holds the tenant's name.
    diff.setOlds(
      Struct.fromJavaScript({
        connectorId: ONLY_IN_B,
        displayName: "Renamed in the portal",
        version: "6.2504.2001.8",
        adopted: true,
        deleteOnDestroy: false,
      }),
    );
    diff.setNews(
      Struct.fromJavaScript({ connectorId: ONLY_IN_B, displayName: "Declared", deleteOnDestroy: true }),
    );
    const diffed = await call<any>(client, "diff", diff);
    expect(diffed.getChanges()).to.equal(proto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(diffed.getHasdetaileddiff()).to.equal(true);
    const detailed: Record<string, [number, boolean]> = {};
    diffed.getDetaileddiffMap().forEach((d: any, property: string) => {
      detailed[property] = [d.getKind(), d.getInputdiff()];
    });
    expect(detailed).to.deep.equal({
      displayName: [proto.PropertyDiff.Kind.UPDATE, false],
      deleteOnDestroy: [proto.PropertyDiff.Kind.UPDATE, false],
    });
    expect(diffed.getDiffsList().sort()).to.deep.equal(["deleteOnDestroy", "displayName"]);
    expect(diffed.getReplacesList()).to.deep.equal([]);
  });
});
