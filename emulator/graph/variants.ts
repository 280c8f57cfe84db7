// Behaviours Microsoft's published sources leave open. Where the metadata, the docs pages or the
// generated SDKs say what the service does, the emulator does that and there is no choice here.
// Where they are silent, the emulator cannot know, so each such behaviour is a variant: the
// default is one reading, the others are the readings a client must also survive, and the tests
// run every one (docs/emulator.md, "Microsoft's sources", lists which rows are which).

export interface ServiceVariants {
  /**
   * How PATCH answers. "body" (default): `200 OK` with the updated object, as the update page
   * documents. "no-content": `204 No Content`, as some Intune entities answer in practice (no
   * source says so for this one).
   */
  patchResponse: "body" | "no-content";
  /**
   * The body of GET on one connector. "entity" (default): the object itself, as OData, the get
   * page's prose and the generated SDKs have it. "value-wrapped": `{"value": {…}}`, as the get
   * page's example response shows it.
   */
  getResponse: "entity" | "value-wrapped";
  /**
   * A POST or PATCH that writes `state`, which the heartbeats decide (the enum page). "until-heartbeat"
   * (default): taken, and shown until the next heartbeat or until silence moves the state on.
   * "ignored": answered as if taken, never shown. "refused": `400 BadRequest`.
   */
  stateWrite: "until-heartbeat" | "ignored" | "refused";
  /**
   * `version` of a connector POSTed without one. "empty" (default): `""`, since the metadata
   * declares version `Nullable="false"`. "null": `null`, as some services return for properties
   * their metadata calls non-nullable.
   */
  createdVersion: "empty" | "null";
  /** Whether `201 Created` carries a `Location` header: "header" (default, the OData protocol) or "none". */
  createLocation: "header" | "none";
  /**
   * `lastConnectionDateTime` of a connector that never checked in (one made by POST). "year-one"
   * (default): `0001-01-01T00:00:00Z`, .NET's minimum, as seen in the wild. "created-at": the time
   * it was created.
   */
  newConnectorContact: "year-one" | "created-at";
  /**
   * The list's query options, which the generated SDKs offer and the list page does not document.
   * "honoured" (default): `$top`, `$count`, `$select` work, and `$filter`, `$search`, `$orderby`,
   * `$skip` (which the emulator does not implement) are answered as "rejected" answers them, as are
   * all options of `/$count`; "ignored": every one is ignored silently (the Graph docs: "query
   * parameters … might fail silently"); "rejected": each is answered `400` ("Some requests will
   * return an error message if a specified query parameter is not supported").
   */
  listQuery: "honoured" | "ignored" | "rejected";
  /**
   * DELETE of a connector whose software has checked in. The delete page documents `204`; Intune's
   * product docs say the connector "can't be removed through the Intune portal or through a graph
   * API call" and that the server "only appears if it can successfully communicate with the Intune
   * service". "removed" (default, the API page): `204`, gone for good, later check-ins dropped.
   * "reappears": `204`, but the software still runs, so its next check-in lists it again under its
   * id. "refused": `400 BadRequest`. A connector no software ever checked in to (one made by POST)
   * is removed under every reading.
   */
  deleteRegistered: "removed" | "reappears" | "refused";
  /**
   * Who writes `version` ("The version of the connector"; the sources do not say). "reported"
   * (default): the connector software reports the version it runs at every check-in, so a version
   * written through Graph lasts until the next one. "kept": a check-in leaves `version` alone unless
   * the software says it was upgraded; a written version stays.
   */
  heartbeatVersion: "reported" | "kept";
  /**
   * The state of a connector that never checked in (one made by POST); the sources do not say.
   * "inactive" (default): it had no heartbeat in the last five days either. "active": the enum's
   * zero value, as a .NET service shows an unset enum. "error".
   */
  newConnectorState: "inactive" | "active" | "error";
  /**
   * What a POST must carry. The create page heads its table "the properties that are required when
   * you create" and lists id, displayName, lastConnectionDateTime, state and version (Intune's
   * boilerplate heading; the metadata makes version, state and lastConnectionDateTime non-nullable
   * without a default). "nothing" (default): any may be left out, as Intune's other entities take it.
   * "version": `400` without `displayName` or `version`, the two a client knows. "listed": `400`
   * without any of the listed properties but `id`, which the service assigns.
   */
  createRequires: "nothing" | "version" | "listed";
  /**
   * A method the route does not take (PUT on a connector, DELETE on the list). "405" (default):
   * `405 Method Not Allowed` with an `Allow` header, as Graph's errors.md documents the status.
   * "400": `400 BadRequest` "No method match route template…", as Intune has been seen to answer.
   */
  unsupportedMethod: "405" | "400";
  /**
   * The list's pages, which paging.md leaves to each API. "skiptoken" (default): each next link
   * carries an opaque `$skiptoken`, as paging.md's example. "skip": it carries `$skip=<offset>`
   * ("either a `$skiptoken` or a `$skip` query parameter"), honoured in the links the service
   * issued; a `$skip` a client writes is answered as listQuery says. "empty-pages": `$skiptoken`
   * links, and an empty page with a next link before each page of results, the list ending on an
   * empty page ("A page of results may contain zero or more results").
   */
  paging: "skiptoken" | "skip" | "empty-pages";
  /**
   * A POST or PATCH that writes `lastConnectionDateTime`. "echoed" (default): taken, as the create
   * and update examples show it (the response carries the value sent), and it is the connector's
   * last contact until the next heartbeat, so the state follows it. "ignored": type-checked, then
   * dropped, as for a property the service alone sets ("Last time connector contacted Intune").
   */
  contactWrite: "echoed" | "ignored";
}

/** The value of each variant when none is chosen. */
export const DEFAULT_VARIANTS: Readonly<ServiceVariants> = Object.freeze({
  patchResponse: "body",
  getResponse: "entity",
  stateWrite: "until-heartbeat",
  createdVersion: "empty",
  createLocation: "header",
  newConnectorContact: "year-one",
  listQuery: "honoured",
  deleteRegistered: "removed",
  heartbeatVersion: "reported",
  newConnectorState: "inactive",
  createRequires: "nothing",
  unsupportedMethod: "405",
  paging: "skiptoken",
  contactWrite: "echoed",
});

/** Every value of every variant, default first. */
export const VARIANT_CHOICES: { readonly [K in keyof ServiceVariants]: readonly ServiceVariants[K][] } = {
  patchResponse: ["body", "no-content"],
  getResponse: ["entity", "value-wrapped"],
  stateWrite: ["until-heartbeat", "ignored", "refused"],
  createdVersion: ["empty", "null"],
  createLocation: ["header", "none"],
  newConnectorContact: ["year-one", "created-at"],
  listQuery: ["honoured", "ignored", "rejected"],
  deleteRegistered: ["removed", "reappears", "refused"],
  heartbeatVersion: ["reported", "kept"],
  newConnectorState: ["inactive", "active", "error"],
  createRequires: ["nothing", "version", "listed"],
  unsupportedMethod: ["405", "400"],
  paging: ["skiptoken", "skip", "empty-pages"],
  contactWrite: ["echoed", "ignored"],
};

export const VARIANT_NAMES = Object.keys(VARIANT_CHOICES) as (keyof ServiceVariants)[];

/** Apply a partial choice to `base`; throws naming the variant and its values on a bad one. */
export function applyVariants(base: Readonly<ServiceVariants>, patch: unknown): ServiceVariants {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch))
    throw new Error(`variants must be an object such as { patchResponse: "no-content" }`);
  const next: ServiceVariants = { ...base };
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!(VARIANT_NAMES as string[]).includes(name))
      throw new Error(`unknown variant '${name}' (variants: ${VARIANT_NAMES.join(", ")})`);
    const choices = VARIANT_CHOICES[name as keyof ServiceVariants] as readonly unknown[];
    if (!choices.includes(value)) {
      throw new Error(
        `variant ${name} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${JSON.stringify(value)}`,
      );
    }
    (next as unknown as Record<string, unknown>)[name] = value;
  }
  return next;
}

/** "patchResponse=no-content" (the CLI's --variant) as a partial choice; throws on a bad form. */
export function parseVariantArgument(argument: string): Partial<ServiceVariants> {
  const match = /^([A-Za-z]+)=(.+)$/.exec(argument);
  if (!match)
    throw new Error(`--variant takes name=value (e.g. patchResponse=no-content), got '${argument}'`);
  return applyVariants(DEFAULT_VARIANTS, { [match[1]]: match[2] }) && { [match[1]]: match[2] };
}
