/**
 * The fleet file of intune-fleet: what it accepts, and one clear line for each kind of mistake,
 * naming the tenant, the property and the value — never a secret's.
 */
import { expect } from "chai";
import { FleetFileError, parseFleet } from "pulumi-intune-domain-join/internal/fleet/fleet-file";

const CONTOSO = "4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83";
const FABRIKAM = "9b1d5c3e-2f4a-4e6b-8c7d-0a1b2c3d4e5f";
const APP = "2f6d9c1a-7b3e-4e58-9a41-0c5d8e7f6a21";
const HQ_ID = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
// Shaped like an Entra ID client secret (three characters, 8Q~, then more): never to be repeated.
const SECRET = "abc8Q~Zq3.Vn_Ww8kLm2Pp0Rr4Tt6Yy1Uu9Ii7Oo5";

/** A valid fleet document, with `tenant` merged into the first tenant (undefined values remove keys). */
function document(
  tenant: Record<string, unknown> = {},
  top: Record<string, unknown> = {},
): Record<string, unknown> {
  const first: Record<string, unknown> = {
    name: "contoso",
    tenantId: CONTOSO,
    credential: { clientSecretEnv: "CONTOSO_SECRET" },
    values: { site: "Lyon" },
    ...tenant,
  };
  for (const [key, value] of Object.entries(first)) if (value === undefined) delete first[key];
  return {
    defaults: { clientId: APP, template: "standard" },
    templates: {
      standard: [
        { name: "hq", displayName: "ODJ {{name}} HQ" },
        { name: "site", displayName: "ODJ {{ name }} – {{site}}" },
      ],
    },
    tenants: [first],
    ...top,
  };
}

/** The document with a second tenant: the first one's entry with `more` over it. */
function withSecond(doc: Record<string, unknown>, more: Record<string, unknown>): Record<string, unknown> {
  const tenants = doc.tenants as Record<string, unknown>[];
  return { ...doc, tenants: [...tenants, { ...tenants[0], ...more }] };
}

/** The problems a document has, as the error lists them. */
function problems(doc: unknown, options?: { stackPrefix?: string }): string[] {
  try {
    parseFleet(doc, options);
  } catch (error) {
    expect(error).to.be.instanceOf(FleetFileError);
    return (error as FleetFileError).problems;
  }
  expect.fail("the document was accepted");
}

function only(doc: unknown, options?: { stackPrefix?: string }): string {
  const found = problems(doc, options);
  expect(found, found.join("\n")).to.have.length(1);
  return found[0];
}

describe("fleet file", () => {
  describe("what it accepts", () => {
    it("fills a template per tenant, takes listed connectors, inherits defaults and prefixes stacks", () => {
      const fleet = parseFleet({
        project: "msp-connectors",
        stackPrefix: "prod-",
        defaults: {
          clientId: APP.toUpperCase(),
          cloud: "GCC High",
          credential: { federated: "githubActions" },
          template: "standard",
        },
        templates: { standard: [{ name: "hq", displayName: "ODJ {{name}} HQ ({{tenantId}})" }] },
        tenants: [
          { name: "contoso", tenantId: CONTOSO.toUpperCase() },
          {
            name: "fabrikam",
            tenantId: FABRIKAM,
            cloud: "global",
            clientId: "5b1e7c3d-8a2f-4d69-b0e4-7c9a1f3e5d28",
            credential: { certificatePath: "/secrets/fabrikam.pem", certificatePasswordEnv: "FABRIKAM_PFX" },
            endpoints: { graph: "https://graph-proxy.fabrikam.example/", authority: "http://127.0.0.1:8443" },
            connectors: [{ connectorId: HQ_ID, displayName: "ODJ Fabrikam HQ" }],
          },
        ],
      });
      expect(fleet).to.deep.equal({
        project: "msp-connectors",
        stackPrefix: "prod-",
        form: "dynamic",
        tenants: [
          {
            name: "contoso",
            tenantId: CONTOSO,
            clientId: APP,
            cloud: "usgov",
            credential: { kind: "federated", method: "githubActions" },
            endpoints: {},
            connectors: [{ name: "hq", displayName: `ODJ contoso HQ (${CONTOSO})` }],
            template: "standard",
            stack: "prod-contoso",
            form: "dynamic",
          },
          {
            name: "fabrikam",
            tenantId: FABRIKAM,
            clientId: "5b1e7c3d-8a2f-4d69-b0e4-7c9a1f3e5d28",
            cloud: "global",
            credential: {
              kind: "certificate",
              path: "/secrets/fabrikam.pem",
              passwordVariable: "FABRIKAM_PFX",
            },
            endpoints: { graph: "https://graph-proxy.fabrikam.example", authority: "http://127.0.0.1:8443" },
            connectors: [{ name: HQ_ID, connectorId: HQ_ID, displayName: "ODJ Fabrikam HQ" }],
            stack: "prod-fabrikam",
            form: "dynamic",
          },
        ],
      });
    });

    it("fills the tenant's own values, spaces inside the braces allowed, numbers as text", () => {
      const fleet = parseFleet(document({ values: { site: 12 } }));
      expect(fleet.tenants[0].connectors.map((c) => c.displayName)).to.deep.equal([
        "ODJ contoso HQ",
        "ODJ contoso – 12",
      ]);
      expect(fleet.project).to.equal("intune-fleet");
      expect(fleet.tenants[0].stack).to.equal("contoso");
      expect(fleet.tenants[0].cloud).to.equal("global");
    });

    it("takes an empty list (a tenant with no connectors) and each federated method", () => {
      const fleet = parseFleet(
        document({
          connectors: [],
          credential: { federated: "workloadIdentity", tokenFile: "/var/run/secrets/token" },
        }),
      );
      expect(fleet.tenants[0].connectors).to.deep.equal([]);
      expect(fleet.tenants[0].credential).to.deep.equal({
        kind: "federated",
        method: "workloadIdentity",
        tokenFile: "/var/run/secrets/token",
      });
      const pipelines = parseFleet(
        document({ credential: { federated: "azurePipelines", serviceConnectionId: FABRIKAM } }),
      );
      expect(pipelines.tenants[0].credential).to.deep.equal({
        kind: "federated",
        method: "azurePipelines",
        serviceConnectionId: FABRIKAM,
      });
    });

    it("the form: dynamic unless the file says plugin, the same for every tenant", () => {
      const dynamic = parseFleet(document());
      expect([dynamic.form, dynamic.tenants[0].form]).to.deep.equal(["dynamic", "dynamic"]);
      const plugin = parseFleet(
        withSecond(document({}, { form: "plugin" }), { name: "fabrikam", tenantId: FABRIKAM }),
      );
      expect([plugin.form, ...plugin.tenants.map((t) => t.form)]).to.deep.equal([
        "plugin",
        "plugin",
        "plugin",
      ]);
    });

    it("--stack-prefix wins over the file's stackPrefix", () => {
      const fleet = parseFleet(document({}, { stackPrefix: "file-" }), { stackPrefix: "ci-" });
      expect(fleet.tenants[0].stack).to.equal("ci-contoso");
    });
  });

  describe("each mistake, one line naming the tenant, the property and the value", () => {
    it("a document that is not a mapping, an unknown top-level key, no tenants", () => {
      expect(only(["a"])).to.match(/^the fleet file must be a mapping with tenants .*; got an array$/);
      expect(only(document({}, { tenant: [] }))).to.equal(
        "tenant is not a known property; accepted: project, stackPrefix, form, defaults, templates, tenants",
      );
      expect(only(document({}, { tenants: [] }))).to.equal(
        "tenants must be a list of at least one tenant; got an array",
      );
      expect(only(document({}, { tenants: undefined }))).to.equal(
        "tenants must be a list of at least one tenant; got nothing",
      );
    });

    it("a form that is not one", () => {
      expect(only(document({}, { form: "yaml" }))).to.equal(
        'form must be one of dynamic, plugin; got "yaml"',
      );
      expect(only(document({}, { form: true }))).to.equal(
        "form must be one of dynamic, plugin; got boolean true",
      );
    });

    it("a tenant that is not an object, a bad name, a name used twice (letter case aside)", () => {
      expect(only(document({}, { tenants: ["contoso"] }))).to.equal(
        'tenants[0] must be an object with name, tenantId and connectors or template; got "contoso"',
      );
      expect(only(document({ name: "contoso corp" }))).to.equal(
        "tenants[0].name must be letters, digits, '.', '_' or '-' (at most 60), starting with a letter or digit: " +
          'it names the tenant\'s stack; got "contoso corp"',
      );
      const doc = withSecond(document(), { name: "Contoso", tenantId: FABRIKAM });
      expect(only(doc)).to.equal(
        'tenants[1] "Contoso": has the name of tenants[0] (letter case aside): each tenant\'s name names its own stack',
      );
    });

    it("tenantId missing, not a GUID, or used by two tenants", () => {
      expect(only(document({ tenantId: undefined }))).to.equal(
        'tenants[0] "contoso": tenantId is missing: give the tenant\'s id (a GUID)',
      );
      expect(only(document({ tenantId: "contoso.onmicrosoft.com" }))).to.equal(
        'tenants[0] "contoso": tenantId must be the tenant\'s id, a GUID such as 4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83; got "contoso.onmicrosoft.com"',
      );
      const doc = withSecond(document(), { name: "fabrikam", tenantId: CONTOSO.toUpperCase() });
      expect(only(doc)).to.equal(
        `tenants[1] "fabrikam": tenantId ${CONTOSO} is also the tenantId of tenants[0] "contoso": one stack per tenant`,
      );
    });

    it("clientId missing everywhere, or wrong; a wrong default is reported once, at defaults", () => {
      expect(only(document({}, { defaults: { template: "standard" } }))).to.equal(
        'tenants[0] "contoso": clientId is missing: give the app\'s client id (a GUID) here or in defaults.clientId',
      );
      expect(only(document({ clientId: 42 }))).to.equal(
        'tenants[0] "contoso": clientId must be the app\'s client id, a GUID such as 4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83; got number 42',
      );
      const doc = withSecond(document({}, { defaults: { clientId: "app", template: "standard" } }), {
        name: "fabrikam",
        tenantId: FABRIKAM,
      });
      expect(only(doc)).to.equal(
        'defaults.clientId must be the app\'s client id, a GUID such as 4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83; got "app"',
      );
    });

    it("a cloud that is not known, listing the accepted ones", () => {
      expect(only(document({ cloud: "azure-germany" }))).to.equal(
        'tenants[0] "contoso": cloud must be one of global, usgov, usgovdod, china; got "azure-germany"',
      );
    });

    it("an unknown property of a tenant, of defaults, of endpoints", () => {
      expect(only(document({ tenantID: CONTOSO }))).to.match(
        /^tenants\[0\] "contoso": tenantID is not a known property; accepted: name, tenantId, clientId, cloud, credential, endpoints, template, connectors, values$/,
      );
      expect(only(document({}, { defaults: { clientId: APP, template: "standard", parallel: 4 } }))).to.equal(
        "defaults.parallel is not a known property; accepted: clientId, cloud, credential, endpoints, template",
      );
      expect(
        only(document({ endpoints: { graph: "https://graph.example.com", login: "https://x.example" } })),
      ).to.equal('tenants[0] "contoso": endpoints.login is not a known property; accepted: graph, authority');
    });

    it("endpoints that are not URLs, or plain http off loopback", () => {
      expect(only(document({ endpoints: { graph: "graph.example.com" } }))).to.equal(
        'tenants[0] "contoso": endpoints.graph must be a URL such as https://proxy.example.com; got "graph.example.com"',
      );
      expect(only(document({ endpoints: { authority: "http://login.example.com" } }))).to.equal(
        'tenants[0] "contoso": endpoints.authority must use https (http only on a loopback address); got "http://login.example.com"',
      );
    });
  });

  describe("credentials: a reference, never the secret", () => {
    it("a literal client secret is refused without being repeated", () => {
      const line = only(document({ credential: { clientSecret: SECRET } }));
      expect(line).to.equal(
        'tenants[0] "contoso": credential.clientSecret would hold a secret in the fleet file, which is committed and shared ' +
          "(the value is not shown): give the NAME of the environment variable that holds it instead, e.g. credential: " +
          "{ clientSecretEnv: CONTOSO_CLIENT_SECRET }",
      );
      expect(line).not.to.contain(SECRET);
      // Whatever the key, and whatever the value looks like.
      expect(only(document({ credential: { clientSecretEnv: "S", password: "hunter2" } }))).to.match(
        /^tenants\[0\] "contoso": credential\.password would hold a secret in the fleet file.*not shown/,
      );
      expect(
        only(document({ credential: { certificatePath: "/c.pem", certificatePassword: "pw" } })),
      ).to.match(/credential\.certificatePassword would hold a secret/);
    });

    it("a secret pasted where a variable's name goes is refused, and not repeated", () => {
      const line = only(document({ credential: { clientSecretEnv: SECRET } }));
      expect(line).to.equal(
        'tenants[0] "contoso": credential.clientSecretEnv must be the NAME of an environment variable (letters, digits ' +
          "and _, not starting with a digit), not the secret itself; the value is not shown",
      );
      expect(
        only(document({ credential: { certificatePath: "/c.pem", certificatePasswordEnv: "my password" } })),
      ).to.match(
        /credential\.certificatePasswordEnv must be the NAME of an environment variable.*not shown$/,
      );
    });

    it("a secret anywhere else in the file is refused, naming where, never what", () => {
      const line = only(document({ values: { site: SECRET } }));
      expect(line).to.match(
        /^tenants\[0\]\.values\.site looks like an Entra ID client secret: a fleet file holds no secret/,
      );
      expect(line).not.to.contain(SECRET);
      const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
      expect(only(document({}, { project: jwt }))).to.match(/^project looks like a token \(JWT\)/);
      expect(
        only(document({ connectors: [{ name: "a", displayName: "-----BEGIN RSA PRIVATE KEY-----" }] })),
      ).to.match(/^tenants\[0\]\.connectors\[0\]\.displayName looks like a private key/);
      // Pasted into a property that would echo a bad value: still not repeated.
      for (const p of problems(document({ clientId: SECRET }))) expect(p).not.to.contain(SECRET);
    });

    it("no credential, two credentials, one not known", () => {
      expect(only(document({ credential: {} }))).to.match(
        /^tenants\[0\] "contoso": credential names no credential: give one of \{ clientSecretEnv: VARIABLE \}/,
      );
      expect(only(document({ credential: { clientSecretEnv: "A", federated: "githubActions" } }))).to.equal(
        'tenants[0] "contoso": credential gives clientSecretEnv and federated: give one credential, not 2',
      );
      expect(only(document({ credential: { federated: "oidc" } }))).to.equal(
        'tenants[0] "contoso": credential.federated must be one of githubActions, azurePipelines, workloadIdentity; got "oidc"',
      );
      expect(only(document({ credential: "CONTOSO_SECRET" }))).to.match(
        /^tenants\[0\] "contoso": credential must be one of \{ clientSecretEnv: VARIABLE \}.*; got "CONTOSO_SECRET"$/,
      );
      expect(only(document({ credential: { clientSecretEnv: "A", certificate: "x" } }))).to.equal(
        'tenants[0] "contoso": credential.certificate is not a known property; accepted: clientSecretEnv, certificatePath, ' +
          "certificatePasswordEnv, federated, tokenFile, serviceConnectionId",
      );
    });

    it("a setting that goes with another credential", () => {
      expect(only(document({ credential: { federated: "githubActions", tokenFile: "/t" } }))).to.equal(
        'tenants[0] "contoso": credential.tokenFile goes only with federated: workloadIdentity',
      );
      expect(only(document({ credential: { clientSecretEnv: "A", certificatePasswordEnv: "B" } }))).to.equal(
        'tenants[0] "contoso": credential.certificatePasswordEnv goes only with certificatePath',
      );
      expect(
        only(document({ credential: { federated: "azurePipelines", serviceConnectionId: "prod" } })),
      ).to.equal(
        'tenants[0] "contoso": credential.serviceConnectionId must be the service connection\'s id, a GUID such as ' +
          '4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83; got "prod"',
      );
      expect(only(document({ credential: undefined }))).to.match(
        /^tenants\[0\] "contoso": credential is missing: give one here or in defaults\.credential/,
      );
    });
  });

  describe("templates and connectors", () => {
    it("a placeholder the tenant has no value for, naming the template, the tenant and what is known", () => {
      expect(only(document({ values: {} }))).to.equal(
        'tenants[0] "contoso": templates.standard[1].displayName names {{site}}, which the tenant has no value for ' +
          "(known: name, tenantId); add it to the tenant's values",
      );
      expect(only(document({ values: { city: "Lyon" } }))).to.contain("(known: name, tenantId, city)");
    });

    it("a placeholder that is not well formed", () => {
      const doc = document({ connectors: [{ name: "a", displayName: "ODJ {{ 2nd }} and {{site" }] });
      expect(only(doc)).to.equal(
        'tenants[0] "contoso": connectors[0].displayName has a placeholder that is not well formed: "{{ 2nd }}", "{{site"; write {{key}}',
      );
    });

    it("values: reserved names, bad names, values that are not text or numbers", () => {
      expect(only(document({ values: { site: "Lyon", name: "x" } }))).to.equal(
        'tenants[0] "contoso": values.name is reserved: {{name}} is the tenant\'s own name',
      );
      expect(only(document({ values: { site: "Lyon", "my-site": "x" } }))).to.equal(
        'tenants[0] "contoso": values.my-site is not a usable name: a letter or _, then letters, digits or _',
      );
      expect(only(document({ values: { site: ["Lyon"] } }))).to.equal(
        'tenants[0] "contoso": values.site must be a string or a number; got an array',
      );
    });

    it("a template that is not defined, both a template and connectors, neither", () => {
      expect(only(document({ template: "premium" }))).to.equal(
        'tenants[0] "contoso": template must name one of the templates (standard); got "premium"',
      );
      expect(only(document({ template: "standard", connectors: [] }))).to.equal(
        'tenants[0] "contoso": gives connectors and template: give one (a list, or the template that makes it)',
      );
      expect(only(document({}, { defaults: { clientId: APP } }))).to.equal(
        'tenants[0] "contoso": has no connectors: give connectors (a list; [] for none) or template (standard)',
      );
      expect(only(document({}, { templates: { standard: { name: "hq" } } }))).to.match(
        /^templates\.standard must be a list of connectors; got an object$/,
      );
    });

    it("a connector the stack would refuse: named in the tenant's terms", () => {
      expect(only(document({ connectors: [{ displayName: "x" }] }))).to.equal(
        'tenants[0] "contoso": connectors[0] needs a name: a stable logical name for the resource (display names can change), e.g. name: branch-office',
      );
      expect(only(document({ connectors: [{ name: "a", displayName: "x", version: "six" }] }))).to.equal(
        'tenants[0] "contoso": connectors[0] (a): version must be a dotted version number such as "6.2504.2001.8", got "six"',
      );
      // A typo: the provider's own check, as a preview would show it (the required name is then missing too).
      expect(problems(document({ connectors: [{ name: "a", displayname: "x" }] }))).to.deep.equal([
        'tenants[0] "contoso": connectors[0] (a): displayname is not a property of DomainJoinConnector; did you mean ' +
          "displayName? Accepted: displayName, version, connectorId, registeredName, deleteOnDestroy, allowDuplicateDisplayName",
        'tenants[0] "contoso": connectors[0] (a): displayName is required: give the connector\'s display name as a non-empty string',
      ]);
      // From the template: the template's entry, for this tenant.
      const doc = document(
        {},
        {
          templates: { standard: [{ name: "hq", displayName: "ODJ {{name}} HQ", deleteOnDestroy: "yes" }] },
        },
      );
      expect(only(doc)).to.equal(
        'tenants[0] "contoso": templates.standard[0] (hq): deleteOnDestroy must be true or false, got "yes"',
      );
    });

    it("a project or a stack prefix Pulumi would refuse; --stack-prefix named as the option", () => {
      expect(only(document({}, { project: "my project" }))).to.equal(
        "project must be a Pulumi project name (letters, digits, '.', '_', '-'); got \"my project\"",
      );
      expect(only(document({}, { stackPrefix: "prod/" }))).to.match(
        /^stackPrefix must be letters, digits.*got "prod\/"$/,
      );
      expect(only(document(), { stackPrefix: "-x" })).to.match(
        /^--stack-prefix must be letters, digits.*got "-x"$/,
      );
    });

    it("every problem at once, in the order of the file", () => {
      const doc = document({ tenantId: "x", cloud: "mars", values: {} });
      const found = problems(doc);
      expect(found).to.have.length(3);
      expect(found[0]).to.match(/^tenants\[0\] "contoso": tenantId must be/);
      expect(found[1]).to.match(/^tenants\[0\] "contoso": cloud must be/);
      expect(found[2]).to.match(/names \{\{site\}\}/);
    });
  });
});
