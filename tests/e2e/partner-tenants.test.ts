/**
 * examples/partner-tenants, a partner's TypeScript program on the plugin's generated SDK, with one
 * explicit `intune.Provider` per customer tenant, lives its whole life with the real Pulumi CLI
 * against ONE emulator holding the partner's tenant and three customer tenants, each of which
 * consented to the partner's multi-tenant app: up; a preview and an up that find nothing to do and
 * ask nothing of anyone; a day later, refresh; a rename in one tenant; destroy. After each step the
 * emulator's per-tenant request logs say where every request went: each tenant's connectors are
 * created, adopted, read, renamed and deleted in that tenant alone, and each token is asked of
 * that tenant's authority. A customer whose tenant never consented fails its own connectors,
 * naming the tenant and AADSTS700016, and nothing is asked of the others. The partner app's
 * secret reaches the providers through the environment only: it is in no config, no state and no
 * output.
 */
import { expect } from "chai";
import * as path from "node:path";
import { PARTNER_APP, defaultApps, generateTenants, type Emulator } from "intune-graph-emulator";
import { ProgramCopy, REPO_ROOT, copyProgram, runLogged } from "intune-test-support/e2e";
import { startTestEmulator } from "intune-test-support/emulator";
import { builtNodejsSdk, intunePluginDir } from "intune-test-support/plugin";

const DAY = 24 * 3_600_000;
const TYPE = "intune:index:DomainJoinConnector";
/** The name under which each customer's connector software registered, in every customer tenant. */
const REGISTERED = "ODJ-SRV01";

/** The three customers, whose admins consented to the partner app; and a fourth, who never did. */
const [CONTOSO, FABRIKAM, NORTHWIND, LITWARE] = generateTenants(4).map(({ tenantId }) => tenantId as string);
const CONSENTING = [CONTOSO, FABRIKAM, NORTHWIND];

/** The stack's `customers` config: what each customer has, by customer name. */
const customers = (fabrikamBranch = "ODJ Fabrikam – Oslo") => [
  {
    name: "contoso",
    tenantId: CONTOSO,
    connectors: [
      { name: "hq", registeredName: REGISTERED, displayName: "ODJ Contoso – HQ" },
      { name: "branch", displayName: "ODJ Contoso – Lyon" },
    ],
  },
  {
    name: "fabrikam",
    tenantId: FABRIKAM,
    connectors: [
      { name: "hq", registeredName: REGISTERED, displayName: "ODJ Fabrikam – HQ" },
      { name: "branch", displayName: fabrikamBranch },
    ],
  },
  {
    name: "northwind",
    tenantId: NORTHWIND,
    connectors: [{ name: "branch", displayName: "ODJ Northwind – Porto" }],
  },
];
/** Each customer's display names once the stack is up, by tenant. */
const EXPECTED: Record<string, string[]> = {
  [CONTOSO]: ["ODJ Contoso – HQ", "ODJ Contoso – Lyon"],
  [FABRIKAM]: ["ODJ Fabrikam – HQ", "ODJ Fabrikam – Oslo"],
  [NORTHWIND]: ["ODJ Northwind – Porto"],
};

describe("a partner's connectors in three customer tenants, an explicit provider each (examples/partner-tenants, real Pulumi CLI, e2e)", function () {
  this.timeout(300_000);
  const stack = "partner";
  let emulator: Emulator;
  let copy: ProgramCopy;
  let partnerSecret: string;
  /** The connector each customer's software registered, by tenant: the `hq` connectors adopt them. */
  const registered = new Map<string, string>();
  /** Everything the CLI printed, for the check that no secret was. */
  const printed: string[] = [];

  const config = (list: unknown[] = customers()) => ({
    "intune-partner-tenants:partnerAppId": PARTNER_APP.clientId,
    "intune-partner-tenants:customers": list,
    // A connector that forgot its provider fails instead of going where the environment points.
    "pulumi:disable-default-providers": ["intune"],
  });

  before(async () => {
    emulator = await startTestEmulator({
      seed: 0,
      // The partner's own tenant is the default one: its apps, and the partner app.
      apps: [...defaultApps(), PARTNER_APP],
      tenants: [
        ...CONSENTING.map((tenantId) => ({ tenantId, consent: [{ clientId: PARTNER_APP.clientId }] })),
        { tenantId: LITWARE },
      ],
    });
    for (const tenantId of [CONTOSO, FABRIKAM]) {
      const [own] = emulator.tenant(tenantId).seed([{ displayName: REGISTERED, version: "6.2504.2001.8" }]);
      registered.set(tenantId, own.id);
    }
    partnerSecret = emulator.app(PARTNER_APP.displayName).secret;
    copy = copyProgram(
      path.join(REPO_ROOT, "examples/partner-tenants"),
      {
        // Where Entra ID and Graph are, and the partner app's secret: the environment of `pulumi`,
        // as a pipeline would set it. No tenant or app: each provider names its own.
        AZURE_TENANT_ID: "",
        AZURE_CLIENT_ID: "",
        AZURE_CLIENT_SECRET: partnerSecret,
        AZURE_AUTHORITY_HOST: emulator.authorityHost,
        INTUNE_GRAPH_ENDPOINT: emulator.graphEndpoint,
        NODE_EXTRA_CA_CERTS: emulator.caCertPath,
      },
      {
        pathDirs: [intunePluginDir()],
        modules: { "@intune-odj/pulumi-intune": builtNodejsSdk() },
      },
    );
    await copy.project.initStack(stack, config());
  });
  after(async () => {
    copy?.cleanup();
    await emulator?.close();
  });

  const run = async (args: string[]) => {
    const result = await runLogged(copy, emulator, stack, args);
    printed.push(result.output);
    return result;
  };
  const names = (tenantId: string) =>
    emulator
      .tenant(tenantId)
      .connectors()
      .map((c) => c.displayName)
      .sort();
  const noRequests = () => expect(emulator.requestLog()).to.deep.equal([]);

  /**
   * Every request of the last command was for one of `tenants`, as the partner app; each token was
   * asked of its tenant's own authority; and no request at all reached another tenant.
   */
  const onlyIn = (tenants: string[]) => {
    const log = emulator.requestLog().filter((e) => e.kind !== "admin");
    expect(
      [...new Set(log.map((e) => e.tenantId))].sort(),
      "the tenants the last command asked anything of",
    ).to.deep.equal([...tenants].sort());
    for (const tenantId of tenants) {
      const tokens = emulator
        .requestLog({ tenantId, kind: "token" })
        .filter((e) => e.method === "POST" && e.path.endsWith("/oauth2/v2.0/token"));
      expect(tokens.length, `tokens for ${tenantId}`).to.be.greaterThan(0);
      for (const token of tokens) {
        expect(token.path, "the authority a token was asked of").to.equal(`/${tenantId}/oauth2/v2.0/token`);
        expect(token.status).to.equal(200);
        expect(token.appId).to.equal(PARTNER_APP.clientId);
      }
      const graph = emulator.requestLog({ tenantId, kind: "graph" });
      expect(graph.every((e) => e.appId === PARTNER_APP.clientId && e.status < 400)).to.equal(true);
    }
  };

  it("up creates and adopts each customer's connectors in that customer's tenant alone", async () => {
    await run(["up", "--yes", "--skip-preview"]);
    for (const tenantId of CONSENTING) expect(names(tenantId), tenantId).to.deep.equal(EXPECTED[tenantId]);
    // The partner's own tenant, and the one that never consented, hold nothing.
    expect(emulator.connectors()).to.deep.equal([]);
    expect(emulator.tenant(LITWARE).connectors()).to.deep.equal([]);
    onlyIn(CONSENTING);
    // One POST per connector created, in its tenant; each adoption's rename in its own.
    expect(emulator.summary({ tenantId: CONTOSO })).to.include({ POST: 1, PATCH: 1, DELETE: 0 });
    expect(emulator.summary({ tenantId: FABRIKAM })).to.include({ POST: 1, PATCH: 1, DELETE: 0 });
    expect(emulator.summary({ tenantId: NORTHWIND })).to.include({ POST: 1, PATCH: 0, DELETE: 0 });

    // Each `hq` adopted the connector so named in its own tenant, though both tenants have one.
    const ids = (await copy.project.outputs(stack)).connectorIds as Record<string, Record<string, string>>;
    expect(ids.contoso.hq).to.equal(registered.get(CONTOSO));
    expect(ids.fabrikam.hq).to.equal(registered.get(FABRIKAM));
    const idsIn = (tenantId: string) =>
      emulator
        .tenant(tenantId)
        .connectors()
        .map((c) => c.id);
    expect(idsIn(CONTOSO)).to.have.members(Object.values(ids.contoso));
    expect(idsIn(FABRIKAM)).to.have.members(Object.values(ids.fabrikam));
    expect(idsIn(NORTHWIND)).to.have.members(Object.values(ids.northwind));
  });

  it("a preview and an up find nothing to do, and ask no tenant anything", async () => {
    await run(["preview", "--expect-no-changes"]);
    noRequests();
    const again = await run(["up", "--yes", "--skip-preview"]);
    expect(again.output).to.match(/\d+ unchanged/);
    noRequests();
  });

  it("a day later: refresh reads each tenant's connectors in that tenant and writes nothing; the next preview is quiet", async () => {
    emulator.advanceClock(DAY);
    for (const [tenantId, id] of registered) emulator.tenant(tenantId).heartbeat(id);
    await run(["refresh", "--yes", "--skip-preview"]);
    onlyIn(CONSENTING);
    for (const tenantId of CONSENTING) {
      expect(emulator.summary({ tenantId }), tenantId).to.include({
        GET: EXPECTED[tenantId].length,
        POST: 0,
        PATCH: 0,
        DELETE: 0,
      });
    }
    await run(["preview", "--expect-no-changes"]);
    noRequests();
  });

  it("a rename in one customer's tenant is one PATCH there, and nothing is asked of the others", async () => {
    copy.project.writeConfig(stack, config(customers("ODJ Fabrikam – Bergen")));
    await run(["up", "--yes", "--skip-preview"]);
    onlyIn([FABRIKAM]);
    expect(emulator.summary({ tenantId: FABRIKAM })).to.include({ PATCH: 1, POST: 0, DELETE: 0 });
    expect(names(FABRIKAM)).to.deep.equal(["ODJ Fabrikam – Bergen", "ODJ Fabrikam – HQ"]);
    expect(names(CONTOSO)).to.deep.equal(EXPECTED[CONTOSO]);
    await run(["preview", "--expect-no-changes"]);
    noRequests();
  });

  it("a customer whose tenant never consented fails its own connector, naming the tenant and AADSTS700016; the others are not asked anything", async () => {
    const litware = {
      name: "litware",
      tenantId: LITWARE,
      connectors: [{ name: "branch", displayName: "ODJ Litware – Turin" }],
    };
    try {
      copy.project.writeConfig(stack, config([...customers("ODJ Fabrikam – Bergen"), litware]));
      emulator.clearLog();
      const failed = await copy.project.run(["up", "--yes", "--skip-preview"], { stack, allowFailure: true });
      printed.push(failed.output);
      expect(failed.code).to.not.equal(0);
      // Litware's connector, and it alone, failed: signing in to Litware's tenant, which Entra refused.
      const failedResources = [...failed.output.matchAll(/^ {2}(\S+) \((\S+)\):\n\s+error: /gm)].map(
        (m) => m[2],
      );
      expect(failedResources, failed.output).to.deep.equal(["litware-branch"]);
      const [, litwareError] =
        /DomainJoinConnector \(litware-branch\):\n\s+error: (.*)/.exec(failed.output) ?? [];
      expect(litwareError).to.match(/^authentication failed \(clientSecret, tenant (\S+), client /);
      expect(litwareError).to.contain(`tenant ${LITWARE}, client ${PARTNER_APP.clientId}`);
      expect(litwareError).to.contain("AADSTS700016");
      // Litware's authority was asked for a token, and refused; nothing else was asked of anyone.
      const asked = emulator.requestLog().filter((e) => e.kind !== "admin");
      expect(asked.length).to.be.greaterThan(0);
      expect(asked.every((e) => e.kind === "token" && e.tenantId === LITWARE)).to.equal(true);
      for (const token of asked.filter((e) => e.method === "POST")) {
        expect(token.path).to.equal(`/${LITWARE}/oauth2/v2.0/token`);
        expect(token.status).to.equal(400);
      }
      expect(emulator.tenant(LITWARE).connectors()).to.deep.equal([]);
      expect(names(CONTOSO)).to.deep.equal(EXPECTED[CONTOSO]);
      expect(names(NORTHWIND)).to.deep.equal(EXPECTED[NORTHWIND]);
    } finally {
      // Litware taken out again, whatever happened above, so that the next tests start from the
      // three customers: its provider goes, and nothing is asked of any tenant.
      copy.project.writeConfig(stack, config(customers("ODJ Fabrikam – Bergen")));
      await run(["up", "--yes", "--skip-preview"]);
    }
    noRequests();
    await run(["preview", "--expect-no-changes"]);
    noRequests();
  });

  it("the partner app's secret is in no config, state or output, and no token is in the state", async () => {
    const exported = await copy.project.exportState(stack);
    expect(exported).to.not.contain(partnerSecret);
    expect(exported).not.to.match(/eyJ[\w-]+\.[\w-]+\./);
    const state = JSON.parse(exported) as {
      deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] };
    };
    // One provider per customer, holding its tenant and the partner app's id, and no secret.
    const providers = state.deployment.resources.filter((r) => r.type === "pulumi:providers:intune");
    expect(providers.map((p) => p.inputs?.tenantId).sort()).to.deep.equal([...CONSENTING].sort());
    for (const p of providers) {
      expect(p.inputs).to.include({ clientId: PARTNER_APP.clientId });
      expect(p.inputs).to.not.have.property("clientSecret");
    }
    expect(state.deployment.resources.filter((r) => r.type === TYPE)).to.have.length(5);
    expect(printed.join("\n")).to.not.contain(partnerSecret);
    const stackConfig = await copy.project.run(["config", "--show-secrets", "--json"], { stack });
    expect(stackConfig.stdout).to.not.contain(partnerSecret);
  });

  it("destroy deletes in each tenant what the stack created there, and releases what it adopted", async () => {
    await run(["destroy", "--yes", "--skip-preview"]);
    onlyIn(CONSENTING);
    expect(emulator.summary({ tenantId: CONTOSO })).to.include({ DELETE: 1, POST: 0, PATCH: 0 });
    expect(emulator.summary({ tenantId: FABRIKAM })).to.include({ DELETE: 1, POST: 0, PATCH: 0 });
    expect(emulator.summary({ tenantId: NORTHWIND })).to.include({ DELETE: 1, POST: 0, PATCH: 0 });
    expect(names(CONTOSO)).to.deep.equal(["ODJ Contoso – HQ"]);
    expect(names(FABRIKAM)).to.deep.equal(["ODJ Fabrikam – HQ"]);
    expect(names(NORTHWIND)).to.deep.equal([]);
    const state = JSON.parse(await copy.project.exportState(stack)) as {
      deployment: { resources?: { type: string }[] };
    };
    expect((state.deployment.resources ?? []).filter((r) => r.type === TYPE)).to.deep.equal([]);
  });
});
