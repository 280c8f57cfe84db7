/**
 * The fleet file of `intune-fleet`: many tenants, each with its tenant id, its app, its cloud, a
 * REFERENCE to its credential (the name of the environment variable holding a client secret, a
 * certificate's path, or a federated credential; never a secret) and its connectors, listed or
 * filled from a shared template. Pure: it takes the parsed document and returns the fleet, or
 * throws every problem at once, each naming the tenant, the property and the value — except a
 * value that looks like a secret, which is never repeated.
 */
import { CLOUD_NAMES, CloudName, parseCloud } from "../logic/clouds";
import { isAllowedEndpoint } from "../logic/endpoint";
import { isGuid } from "../connector/constants";
import { checkInputs } from "../connector/check";
import { describeValue } from "../connector/values";
import { ConnectorEntry, StackConfigError, parseConnectorEntries } from "./connector-entries";
import { PLACEHOLDER_KEY, fillValue } from "./template";

/**
 * The form every tenant's stack runs in: `dynamic`, the package's Node program on the dynamic
 * provider (default: its stacks also carry the `health` output), or `plugin`, a YAML program on
 * the `intune` plugin (the same provider code, at less CPU a tenant: the lever for big fleets).
 */
export const FLEET_FORMS = ["dynamic", "plugin"] as const;
export type FleetForm = (typeof FLEET_FORMS)[number];

export const FEDERATED_METHODS = ["githubActions", "azurePipelines", "workloadIdentity"] as const;
export type FederatedMethod = (typeof FEDERATED_METHODS)[number];

/** Where a tenant's credential is: never the credential itself. */
export type CredentialRef =
  /** A client secret, read from this environment variable when the tenant runs. */
  | { kind: "clientSecret"; variable: string }
  /** A PEM file with the certificate and its key; its password, if any, from a variable. */
  | { kind: "certificate"; path: string; passwordVariable?: string }
  /** The pipeline's or the cluster's own token, exchanged with Entra ID. */
  | { kind: "federated"; method: FederatedMethod; tokenFile?: string; serviceConnectionId?: string };

export interface FleetEndpoints {
  /** Graph's origin (a proxy, a test emulator); default the cloud's. */
  graph?: string;
  /** Entra ID's origin; default the cloud's. */
  authority?: string;
}

export interface FleetTenant {
  /** Unique in the fleet (letter case aside); the stack is named after it. */
  name: string;
  /** The tenant's GUID, lower case. */
  tenantId: string;
  clientId: string;
  cloud: CloudName;
  credential: CredentialRef;
  endpoints: FleetEndpoints;
  /** Checked, placeholders filled: what the stack's `<project>:connectors` config holds. */
  connectors: ConnectorEntry[];
  /** The template the connectors came from, if any. */
  template?: string;
  /** `stackPrefix` + `name`. */
  stack: string;
  /** The fleet's form, which the tenant's stack keeps. */
  form: FleetForm;
}

export interface Fleet {
  /** The Pulumi project of every tenant's stack. */
  project: string;
  stackPrefix: string;
  form: FleetForm;
  tenants: FleetTenant[];
}

export const DEFAULT_PROJECT = "intune-fleet";

/** Every problem of a fleet file, one line each. */
export class FleetFileError extends Error {
  override readonly name = "FleetFileError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

const TOP_KEYS = ["project", "stackPrefix", "form", "defaults", "templates", "tenants"];
const DEFAULT_KEYS = ["clientId", "cloud", "credential", "endpoints", "template"];
const TENANT_KEYS = [
  "name",
  "tenantId",
  "clientId",
  "cloud",
  "credential",
  "endpoints",
  "template",
  "connectors",
  "values",
];
const CREDENTIAL_KEYS = [
  "clientSecretEnv",
  "certificatePath",
  "certificatePasswordEnv",
  "federated",
  "tokenFile",
  "serviceConnectionId",
];
const ENDPOINT_KEYS = ["graph", "authority"];

/** A tenant's name: it names a stack and files, so letters, digits, '.', '_', '-', at most 60. */
export const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/;
/** A stack prefix: the same characters, at most 40, or nothing. */
export const STACK_PREFIX = /^([A-Za-z0-9][A-Za-z0-9._-]{0,39})?$/;
/** A Pulumi project name. */
const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
/** An environment variable's name (POSIX). */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Credential keys that would hold a secret itself. */
const SECRET_KEY = /secret|password|passphrase|token|assertion|privatekey|^key$/i;

/** The shapes of secrets a fleet file must never hold, and what each is called. */
const SECRET_SHAPES: readonly [RegExp, string][] = [
  [/[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{30,}/, "an Entra ID client secret"],
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./, "a token (JWT)"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
];

/** What kind of secret a string looks like, or undefined. */
export function secretShape(text: string): string | undefined {
  return SECRET_SHAPES.find(([pattern]) => pattern.test(text))?.[1];
}

/** A value as messages show it: a string that looks like a secret is never repeated. */
function shown(value: unknown): string {
  const shape = typeof value === "string" ? secretShape(value) : undefined;
  return shape ? `a value that looks like ${shape} (not shown)` : describeValue(value);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const list = (items: readonly string[]) => items.join(", ");

/** Collects problems, one line each: where (`tenants[2] "fabrikam": credential`), then what. */
class Problems {
  readonly lines: string[] = [];
  get count(): number {
    return this.lines.length;
  }
  add(at: string, message: string): void {
    this.lines.push(scrubSecrets(at ? `${at} ${message}` : message));
  }
  unknownKeys(record: Record<string, unknown>, accepted: readonly string[], prefix: string): void {
    for (const key of Object.keys(record)) {
      if (!accepted.includes(key))
        this.add(`${prefix}${key}`, `is not a known property; accepted: ${list(accepted)}`);
    }
  }
}

/** Text with every secret-shaped part replaced: no message repeats a secret, whatever path led to it. */
export function scrubSecrets(text: string): string {
  return SECRET_SHAPES.reduce(
    (out, [pattern]) => out.replace(new RegExp(pattern.source, "g"), "(a secret, not shown)"),
    text,
  );
}

/**
 * Every string in the document that looks like a secret, by path: refused wherever it is. A
 * credential's own keys are left to its check, which says the one thing to do for each.
 */
function findSecrets(value: unknown, at: string, problems: Problems, inCredential = false): void {
  if (typeof value === "string") {
    const shape = secretShape(value);
    if (shape) {
      problems.add(
        at,
        `looks like ${shape}: a fleet file holds no secret (it is committed and shared; the value is not shown). ` +
          "Put the secret in an environment variable and name the variable (credential: { clientSecretEnv: VARIABLE })",
      );
    }
  } else if (Array.isArray(value)) value.forEach((item, i) => findSecrets(item, `${at}[${i}]`, problems));
  else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (inCredential && (key.endsWith("Env") || (SECRET_KEY.test(key) && !CREDENTIAL_KEYS.includes(key))))
        continue;
      findSecrets(item, at ? `${at}.${key}` : key, problems, key === "credential");
    }
  }
}

function checkGuid(value: unknown, what: string, at: string, problems: Problems): string | undefined {
  if (typeof value === "string" && isGuid(value)) return value.toLowerCase();
  problems.add(
    at,
    `must be ${what}, a GUID such as 4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83; got ${shown(value)}`,
  );
  return undefined;
}

function checkCloud(value: unknown, at: string, problems: Problems): CloudName | undefined {
  const cloud = typeof value === "string" ? parseCloud(value) : undefined;
  if (!cloud) problems.add(at, `must be one of ${list(CLOUD_NAMES)}; got ${shown(value)}`);
  return cloud;
}

function checkVariable(value: unknown, at: string, problems: Problems): string | undefined {
  if (typeof value === "string" && VARIABLE_NAME.test(value)) return value;
  // Never shown: what was put here by mistake may be the secret itself.
  problems.add(
    at,
    "must be the NAME of an environment variable (letters, digits and _, not starting with a digit), " +
      "not the secret itself; the value is not shown",
  );
  return undefined;
}

function checkPath(value: unknown, at: string, problems: Problems): string | undefined {
  if (typeof value === "string" && value.trim() !== "") return value;
  problems.add(at, `must be a file path; got ${shown(value)}`);
  return undefined;
}

const CREDENTIAL_SHAPES =
  "{ clientSecretEnv: VARIABLE }, { certificatePath: FILE, certificatePasswordEnv: VARIABLE (optional) }, " +
  `or { federated: ${FEDERATED_METHODS.join(" | ")} }`;

function checkCredential(value: unknown, at: string, problems: Problems): CredentialRef | undefined {
  if (!isRecord(value)) {
    problems.add(at, `must be one of ${CREDENTIAL_SHAPES}; got ${shown(value)}`);
    return undefined;
  }
  const before = problems.lines.length;
  for (const key of Object.keys(value)) {
    if (CREDENTIAL_KEYS.includes(key)) continue;
    if (SECRET_KEY.test(key)) {
      problems.add(
        `${at}.${key}`,
        "would hold a secret in the fleet file, which is committed and shared (the value is not shown): " +
          "give the NAME of the environment variable that holds it instead, e.g. credential: { clientSecretEnv: CONTOSO_CLIENT_SECRET }",
      );
    } else problems.add(`${at}.${key}`, `is not a known property; accepted: ${list(CREDENTIAL_KEYS)}`);
  }
  const kinds = ["clientSecretEnv", "certificatePath", "federated"].filter((k) => value[k] !== undefined);
  // A secret given instead of a reference has been told what to do: nothing more to say.
  if (kinds.length === 0 && problems.count > before) return undefined;
  if (kinds.length !== 1) {
    problems.add(
      at,
      kinds.length === 0
        ? `names no credential: give one of ${CREDENTIAL_SHAPES}`
        : `gives ${kinds.join(" and ")}: give one credential, not ${kinds.length}`,
    );
    return undefined;
  }
  const only = (key: string, with_: string) => {
    if (value[key] !== undefined) problems.add(`${at}.${key}`, `goes only with ${with_}`);
  };
  let credential: CredentialRef | undefined;
  if (kinds[0] === "clientSecretEnv") {
    const variable = checkVariable(value.clientSecretEnv, `${at}.clientSecretEnv`, problems);
    only("certificatePasswordEnv", "certificatePath");
    only("tokenFile", "federated: workloadIdentity");
    only("serviceConnectionId", "federated: azurePipelines");
    if (variable) credential = { kind: "clientSecret", variable };
  } else if (kinds[0] === "certificatePath") {
    const file = checkPath(value.certificatePath, `${at}.certificatePath`, problems);
    const password =
      value.certificatePasswordEnv === undefined
        ? undefined
        : checkVariable(value.certificatePasswordEnv, `${at}.certificatePasswordEnv`, problems);
    only("tokenFile", "federated: workloadIdentity");
    only("serviceConnectionId", "federated: azurePipelines");
    if (file)
      credential = { kind: "certificate", path: file, ...(password ? { passwordVariable: password } : {}) };
  } else {
    const method = value.federated;
    only("certificatePasswordEnv", "certificatePath");
    if (typeof method !== "string" || !(FEDERATED_METHODS as readonly string[]).includes(method)) {
      problems.add(`${at}.federated`, `must be one of ${list(FEDERATED_METHODS)}; got ${shown(method)}`);
      return undefined;
    }
    if (method !== "workloadIdentity") only("tokenFile", "federated: workloadIdentity");
    if (method !== "azurePipelines") only("serviceConnectionId", "federated: azurePipelines");
    const tokenFile =
      value.tokenFile === undefined ? undefined : checkPath(value.tokenFile, `${at}.tokenFile`, problems);
    const serviceConnectionId =
      value.serviceConnectionId === undefined
        ? undefined
        : checkGuid(
            value.serviceConnectionId,
            "the service connection's id",
            `${at}.serviceConnectionId`,
            problems,
          );
    credential = {
      kind: "federated",
      method: method as FederatedMethod,
      ...(tokenFile ? { tokenFile } : {}),
      ...(serviceConnectionId ? { serviceConnectionId } : {}),
    };
  }
  return problems.lines.length === before ? credential : undefined;
}

function checkEndpoints(value: unknown, at: string, problems: Problems): FleetEndpoints | undefined {
  if (!isRecord(value)) {
    problems.add(
      at,
      `must be an object such as { graph: https://graph.example.com, authority: https://login.example.com }; got ${shown(value)}`,
    );
    return undefined;
  }
  const before = problems.lines.length;
  problems.unknownKeys(value, ENDPOINT_KEYS, `${at}.`);
  const endpoints: FleetEndpoints = {};
  for (const key of ENDPOINT_KEYS as ("graph" | "authority")[]) {
    const raw = value[key];
    if (raw === undefined) continue;
    let url: URL | undefined;
    try {
      url = typeof raw === "string" ? new URL(raw) : undefined;
    } catch {
      url = undefined;
    }
    if (!url)
      problems.add(`${at}.${key}`, `must be a URL such as https://proxy.example.com; got ${shown(raw)}`);
    else if (!isAllowedEndpoint(url))
      problems.add(`${at}.${key}`, `must use https (http only on a loopback address); got ${shown(raw)}`);
    else endpoints[key] = url.origin;
  }
  return problems.lines.length === before ? endpoints : undefined;
}

interface Defaults {
  clientId?: string;
  cloud?: CloudName;
  credential?: CredentialRef;
  endpoints?: FleetEndpoints;
  template?: string;
}

/** The templates by name; a template that is there but unusable maps to undefined (reported once). */
type Templates = Map<string, unknown[] | undefined>;

const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkTemplates(value: unknown, problems: Problems): Templates {
  const templates: Templates = new Map();
  if (value === undefined) return templates;
  if (!isRecord(value)) {
    problems.add("templates", `must map template names to lists of connectors; got ${shown(value)}`);
    return templates;
  }
  for (const [name, entries] of Object.entries(value)) {
    if (!TEMPLATE_NAME.test(name)) {
      problems.add(`templates.${name}`, "is not a usable template name: letters, digits, '.', '_' or '-'");
    } else if (!Array.isArray(entries)) {
      problems.add(`templates.${name}`, `must be a list of connectors; got ${shown(entries)}`);
      templates.set(name, undefined);
    } else templates.set(name, entries);
  }
  return templates;
}

function checkDefaults(value: unknown, templates: Templates, problems: Problems): Defaults {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.add("defaults", `must be an object (${list(DEFAULT_KEYS)}); got ${shown(value)}`);
    return {};
  }
  problems.unknownKeys(value, DEFAULT_KEYS, "defaults.");
  const defaults: Defaults = {};
  if (value.clientId !== undefined)
    defaults.clientId = checkGuid(value.clientId, "the app's client id", "defaults.clientId", problems);
  if (value.cloud !== undefined) defaults.cloud = checkCloud(value.cloud, "defaults.cloud", problems);
  if (value.credential !== undefined)
    defaults.credential = checkCredential(value.credential, "defaults.credential", problems);
  if (value.endpoints !== undefined)
    defaults.endpoints = checkEndpoints(value.endpoints, "defaults.endpoints", problems);
  if (value.template !== undefined)
    defaults.template = checkTemplateName(value.template, templates, "defaults.template", problems);
  return defaults;
}

function checkTemplateName(
  value: unknown,
  templates: Templates,
  at: string,
  problems: Problems,
): string | undefined {
  // A template that is there but unusable has been reported.
  if (typeof value === "string" && templates.has(value)) return templates.get(value) ? value : undefined;
  problems.add(
    at,
    `must name one of the templates (${templates.size ? list([...templates.keys()]) : "there are none: add templates:"}); got ${shown(value)}`,
  );
  return undefined;
}

function checkValues(value: unknown, at: string, problems: Problems): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.add(at, `must map names to values, e.g. { site: Lyon }; got ${shown(value)}`);
    return undefined;
  }
  const values: Record<string, string> = {};
  const before = problems.lines.length;
  for (const [key, item] of Object.entries(value)) {
    if (key === "name" || key === "tenantId") {
      problems.add(`${at}.${key}`, `is reserved: {{${key}}} is the tenant's own ${key}`);
    } else if (!PLACEHOLDER_KEY.test(key)) {
      problems.add(`${at}.${key}`, "is not a usable name: a letter or _, then letters, digits or _");
    } else if (typeof item === "string" || (typeof item === "number" && Number.isFinite(item))) {
      values[key] = String(item);
    } else problems.add(`${at}.${key}`, `must be a string or a number; got ${shown(item)}`);
  }
  return problems.lines.length === before ? values : undefined;
}

/** The tenant's connectors: listed or from its template, placeholders filled, each checked. */
function checkConnectors(
  tenant: Record<string, unknown>,
  templateName: string | undefined,
  templates: Templates,
  values: Record<string, string>,
  at: string,
  problems: Problems,
): ConnectorEntry[] | undefined {
  const listed = tenant.connectors !== undefined;
  if (!listed && templateName === undefined) {
    problems.add(
      at,
      "has no connectors: give connectors (a list; [] for none) or template " +
        `(${templates.size ? list([...templates.keys()]) : "none is defined"})`,
    );
    return undefined;
  }
  const source = listed ? tenant.connectors : templates.get(templateName as string);
  // Where the entries are written: the tenant's list, or the template (for this tenant).
  const key = listed ? "connectors" : `templates.${templateName}`;
  if (!Array.isArray(source)) {
    problems.add(`${at} connectors`, `must be a list of connectors; got ${shown(source)}`);
    return undefined;
  }
  const filled = fillValue(source, values);
  const known = list(Object.keys(values));
  for (const p of filled.problems) {
    const place = `${at} ${key}${p.path}`;
    if (p.malformed.length) {
      const written = p.malformed.map((m) => JSON.stringify(m)).join(", ");
      problems.add(place, `has a placeholder that is not well formed: ${written}; write {{key}}`);
    }
    if (p.unknown.length) {
      const named = p.unknown.map((k) => `{{${k}}}`).join(", ");
      problems.add(
        place,
        `names ${named}, which the tenant has no value for (known: ${known}); add it to the tenant's values`,
      );
    }
  }
  if (filled.problems.length) return undefined;
  let entries: ConnectorEntry[];
  try {
    entries = parseConnectorEntries(filled.value, key);
  } catch (error) {
    if (!(error instanceof StackConfigError)) throw error;
    problems.add(at, error.message);
    return undefined;
  }
  const before = problems.count;
  entries.forEach(({ name, ...inputs }, i) => {
    for (const failure of checkInputs(inputs).failures)
      problems.add(`${at} ${key}[${i}] (${name}):`, failure.reason);
  });
  return problems.count === before ? entries : undefined;
}

interface TenantContext {
  templates: Templates;
  defaults: Defaults;
  /** The defaults as written: a default that is there but wrong is reported once, at defaults. */
  rawDefaults: Record<string, unknown>;
  problems: Problems;
  /** Names (lower case) and tenant ids seen so far, with where. */
  names: Map<string, string>;
  ids: Map<string, string>;
}

function checkTenant(
  entry: unknown,
  index: number,
  context: TenantContext,
): Omit<FleetTenant, "stack" | "form"> | undefined {
  const { templates, defaults, rawDefaults, problems } = context;
  const first = `tenants[${index}]`;
  if (!isRecord(entry)) {
    problems.add(
      first,
      `must be an object with name, tenantId and connectors or template; got ${shown(entry)}`,
    );
    return undefined;
  }
  const name = entry.name;
  if (typeof name !== "string" || !TENANT_NAME.test(name)) {
    problems.add(
      `${first}.name`,
      "must be letters, digits, '.', '_' or '-' (at most 60), starting with a letter or digit: it names the " +
        `tenant's stack; got ${name === undefined ? "nothing" : shown(name)}`,
    );
    return undefined;
  }
  const at = `${first} "${name}":`;
  const before = problems.count;
  const other = context.names.get(name.toLowerCase());
  if (other)
    problems.add(at, `has the name of ${other} (letter case aside): each tenant's name names its own stack`);
  else context.names.set(name.toLowerCase(), `tenants[${index}]`);
  problems.unknownKeys(entry, TENANT_KEYS, `${at} `);

  /** The tenant's own value, else the default; a missing one is reported unless `fallback` is given. */
  const record = entry;
  function inherited<T>(key: string, own: (value: unknown) => T | undefined, fallback?: T): T | undefined {
    if (record[key] !== undefined) return own(record[key]);
    if (rawDefaults[key] !== undefined) return (defaults as Record<string, unknown>)[key] as T | undefined;
    if (fallback === undefined) problems.add(`${at} ${key}`, `is missing: ${MISSING[key]}`);
    return fallback;
  }
  const tenantId =
    entry.tenantId === undefined
      ? (problems.add(`${at} tenantId`, "is missing: give the tenant's id (a GUID)"), undefined)
      : checkGuid(entry.tenantId, "the tenant's id", `${at} tenantId`, problems);
  if (tenantId) {
    const sameTenant = context.ids.get(tenantId);
    if (sameTenant)
      problems.add(
        `${at} tenantId`,
        `${tenantId} is also the tenantId of ${sameTenant}: one stack per tenant`,
      );
    else context.ids.set(tenantId, `tenants[${index}] "${name}"`);
  }
  const clientId = inherited("clientId", (v) =>
    checkGuid(v, "the app's client id", `${at} clientId`, problems),
  );
  const cloud = inherited<CloudName>("cloud", (v) => checkCloud(v, `${at} cloud`, problems), "global");
  const credential = inherited("credential", (v) => checkCredential(v, `${at} credential`, problems));
  const endpoints = inherited<FleetEndpoints>(
    "endpoints",
    (v) => checkEndpoints(v, `${at} endpoints`, problems),
    {},
  );
  const values = checkValues(entry.values, `${at} values`, problems);
  let template: string | undefined;
  let templateOk = true;
  if (entry.template !== undefined) {
    if (entry.connectors !== undefined) {
      problems.add(at, "gives connectors and template: give one (a list, or the template that makes it)");
      templateOk = false;
    } else {
      template = checkTemplateName(entry.template, templates, `${at} template`, problems);
      templateOk = template !== undefined;
    }
  } else if (entry.connectors === undefined) {
    template = defaults.template;
    templateOk = rawDefaults.template === undefined || template !== undefined;
  }
  const connectors =
    values && templateOk
      ? checkConnectors(
          entry,
          template,
          templates,
          { name, tenantId: tenantId ?? "", ...values },
          at,
          problems,
        )
      : undefined;
  if (
    problems.count !== before ||
    !tenantId ||
    !clientId ||
    !cloud ||
    !credential ||
    !endpoints ||
    !connectors
  )
    return undefined;
  return {
    name,
    tenantId,
    clientId,
    cloud,
    credential,
    endpoints,
    connectors,
    ...(template ? { template } : {}),
  };
}

const MISSING: Record<string, string> = {
  clientId: "give the app's client id (a GUID) here or in defaults.clientId",
  credential: `give one here or in defaults.credential: ${CREDENTIAL_SHAPES}`,
};

/**
 * Reads a fleet document (a parsed YAML or JSON file). `stackPrefix` from the command line wins
 * over the file's. Throws FleetFileError with every problem found.
 */
export function parseFleet(document: unknown, options: { stackPrefix?: string } = {}): Fleet {
  const problems = new Problems();
  if (!isRecord(document)) {
    throw new FleetFileError([
      `the fleet file must be a mapping with tenants (and project, stackPrefix, defaults, templates); got ${shown(document)}`,
    ]);
  }
  findSecrets(document, "", problems);
  problems.unknownKeys(document, TOP_KEYS, "");
  let project = DEFAULT_PROJECT;
  if (document.project !== undefined) {
    if (typeof document.project === "string" && PROJECT_NAME.test(document.project))
      project = document.project;
    else
      problems.add(
        "project",
        `must be a Pulumi project name (letters, digits, '.', '_', '-'); got ${shown(document.project)}`,
      );
  }
  let stackPrefix = "";
  const prefix = options.stackPrefix ?? document.stackPrefix;
  const prefixAt = options.stackPrefix !== undefined ? "--stack-prefix" : "stackPrefix";
  if (prefix !== undefined) {
    if (typeof prefix === "string" && STACK_PREFIX.test(prefix)) stackPrefix = prefix;
    else
      problems.add(
        prefixAt,
        `must be letters, digits, '.', '_' or '-' (at most 40), starting with a letter or digit; got ${shown(prefix)}`,
      );
  }
  let form: FleetForm = "dynamic";
  if (document.form !== undefined) {
    if (FLEET_FORMS.includes(document.form as FleetForm)) form = document.form as FleetForm;
    else problems.add("form", `must be one of ${list(FLEET_FORMS)}; got ${shown(document.form)}`);
  }
  const templates = checkTemplates(document.templates, problems);
  const defaults = checkDefaults(document.defaults, templates, problems);

  const tenants: FleetTenant[] = [];
  if (!Array.isArray(document.tenants) || document.tenants.length === 0) {
    problems.add(
      "tenants",
      `must be a list of at least one tenant; got ${document.tenants === undefined ? "nothing" : shown(document.tenants)}`,
    );
    throw new FleetFileError(problems.lines);
  }
  const rawDefaults = isRecord(document.defaults) ? document.defaults : {};
  const names = new Map<string, string>();
  const ids = new Map<string, string>();
  document.tenants.forEach((entry: unknown, index: number) => {
    const tenant = checkTenant(entry, index, { templates, defaults, rawDefaults, problems, names, ids });
    if (tenant) tenants.push({ ...tenant, stack: `${stackPrefix}${tenant.name}`, form });
  });
  if (problems.count) throw new FleetFileError(problems.lines);
  return { project, stackPrefix, form, tenants };
}
