/**
 * A partner (MSP) declares connectors in several customer tenants from one TypeScript program, on
 * the SDK generated from the intune plugin's schema (`@intune-odj/pulumi-intune`). Each customer
 * gets its own explicit `intune.Provider`: the customer's tenant id and the partner's one
 * multi-tenant app (consented in every customer tenant), so each token is asked of that customer's
 * authority and each connector lives in, and is only ever touched in, its own tenant.
 *
 * The app's credential is not in the program, its config or its state: each provider takes it
 * from the environment of `pulumi` (AZURE_CLIENT_SECRET, or AZURE_CLIENT_CERTIFICATE_PATH, or a
 * federated token), as the default provider would.
 *
 *   pulumi config set partnerAppId <the partner app's client id>
 *   pulumi config set --path 'customers[0].name' contoso
 *   pulumi config set --path 'customers[0].tenantId' <Contoso's tenant id>
 *   pulumi config set --path 'customers[0].connectors[0].name' lyon
 *   pulumi config set --path 'customers[0].connectors[0].displayName' "ODJ Contoso – Lyon"
 *   …
 */
import * as pulumi from "@pulumi/pulumi";
import * as intune from "@intune-odj/pulumi-intune";

/** A connector of one customer, as the stack config lists it. */
interface CustomerConnector {
  /** Unique within its customer: with the customer's name, it names the Pulumi resource. */
  name: string;
  displayName: string;
  /** Adopt the connector registered under this name instead of creating one. */
  registeredName?: string;
}

/** One customer tenant, as the stack config lists it. */
interface Customer {
  /** Unique in the list: it names the customer's provider and prefixes its connectors' names. */
  name: string;
  /** The customer's Entra ID tenant: its id (a GUID) or a domain such as `contoso.onmicrosoft.com`. */
  tenantId: string;
  /** The customer's Microsoft cloud (`global` unless given: `usgov`, `usgovdod`, `china`). */
  cloud?: string;
  connectors: CustomerConnector[];
}

const config = new pulumi.Config();
/** The partner's multi-tenant app: registered once in the partner's tenant, consented in each customer's. */
const partnerAppId = config.require("partnerAppId");
const customers = checkedCustomers(config.requireObject<unknown>("customers"));

/** Each customer's connector ids, by customer and connector name. */
export const connectorIds: Record<string, Record<string, pulumi.Output<string>>> = {};

for (const customer of customers) {
  // One provider per tenant. No clientSecret here: a secret given to a provider is one of its
  // inputs, and the engine keeps a provider's inputs in the stack's state.
  const provider = new intune.Provider(customer.name, {
    tenantId: customer.tenantId,
    clientId: partnerAppId,
    cloud: customer.cloud,
  });
  connectorIds[customer.name] = {};
  for (const connector of customer.connectors) {
    const resource = new intune.DomainJoinConnector(
      `${customer.name}-${connector.name}`,
      { displayName: connector.displayName, registeredName: connector.registeredName },
      // Every connector names its customer's provider: none may fall back to the default
      // provider, which reads whatever tenant the environment names.
      { provider },
    );
    connectorIds[customer.name][connector.name] = resource.connectorId;
  }
}

/** The `customers` config, checked: a mistake fails the preview with the entry it is in. */
function checkedCustomers(value: unknown): Customer[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new Error("config customers: give a list of { name, tenantId, connectors }");
  const names = new Set<string>();
  return value.map((entry: Partial<Customer>, i): Customer => {
    const where = `config customers[${i}]`;
    if (typeof entry?.name !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(entry.name))
      throw new Error(`${where}.name: a short name of lower-case letters, digits and dashes`);
    if (names.has(entry.name)) throw new Error(`${where}.name: ${entry.name} is already in the list`);
    names.add(entry.name);
    if (typeof entry.tenantId !== "string" || entry.tenantId === "")
      throw new Error(`${where}.tenantId: the customer's tenant id or domain`);
    if (!Array.isArray(entry.connectors))
      throw new Error(`${where}.connectors: a list of { name, displayName }`);
    const connectorNames = new Set<string>();
    for (const [j, connector] of entry.connectors.entries()) {
      const at = `${where}.connectors[${j}]`;
      if (typeof connector?.name !== "string" || connector.name === "" || connectorNames.has(connector.name))
        throw new Error(`${at}.name: a name unique within ${entry.name}`);
      connectorNames.add(connector.name);
      if (typeof connector.displayName !== "string" || connector.displayName === "")
        throw new Error(`${at}.displayName: the name the connector shows in Intune`);
    }
    return entry as Customer;
  });
}
