/**
 * The Pulumi resource: `DomainJoinConnector`, a dynamic resource whose provider is stored in state
 * as a reference to this package (glue/stored-provider.ts), so state stays small and holds no
 * captured value.
 */
import * as pulumi from "@pulumi/pulumi";
import * as storedProvider from "./glue/stored-provider";
import { idKey } from "./logic/ownership";
import { OUTPUT_ONLY_PREFIX, STATE_INPUT_IGNORED, type ConnectorState } from "./logic/schema";

export type DomainJoinConnectorState = ConnectorState;

/** The arguments of a {@link DomainJoinConnector}. */
export interface DomainJoinConnectorArgs {
  /**
   * The connector's display name in Intune (1–256 characters, no control characters). Managed:
   * a change is applied with a PATCH of this property alone.
   */
  displayName: pulumi.Input<string>;
  /**
   * The connector software version, a dotted number such as `6.2504.2001.8`. Optional: when
   * omitted it is reported by the connector and never causes a change.
   */
  version?: pulumi.Input<string>;
  /**
   * Ignored, with a warning: Intune sets the state from the connector's heartbeats (active while it
   * checks in, error after an hour without one, inactive after five days), so a declared state
   * cannot hold. Read the `state` output instead, or judge it with `intune-health` or the policy pack.
   * @deprecated Remove it: `state` is an output only.
   */
  state?: pulumi.Input<DomainJoinConnectorState>;
  /**
   * The id (GUID) of a connector that already exists, usually registered by the Intune Connector
   * for Active Directory. When set, the resource adopts that connector instead of creating one;
   * changing it replaces the resource.
   */
  connectorId?: pulumi.Input<string>;
  /**
   * The display name under which the connector is registered (the Intune Connector for Active
   * Directory registers with its server's name, e.g. `ODJ-HQ-SRV01`): the resource adopts the one
   * connector the tenant holds under this name (letter case and surrounding spaces ignored). The
   * name is looked up once, when the resource is created, and the connector's id is kept in state,
   * so the program keeps working after `displayName` renames it; previews of an unchanged stack
   * make no Graph request. Another name later adopts another connector (a replacement). Give
   * `connectorId` or `registeredName`, not both.
   */
  registeredName?: pulumi.Input<string>;
  /**
   * Whether destroying this resource deletes the connector from Intune. Default: `true` for a
   * connector this resource created, `false` for an adopted one, which is released (left in
   * Intune) with a warning.
   */
  deleteOnDestroy?: pulumi.Input<boolean>;
  /**
   * Whether a new connector may take a display name that another connector in the tenant
   * already has. Default `false`: before creating, the provider reads the tenant's connectors
   * and refuses, naming the existing ids, so that a connector registered by the connector
   * software is adopted (`connectorId`) instead of duplicated.
   */
  allowDuplicateDisplayName?: pulumi.Input<boolean>;
}

// Connector ids (lower case) claimed in this program, with the resources that claim each.
const connectorClaims = new Map<string, string[]>();

/**
 * One resource per connector: two resources managing one connector would undo each other's
 * changes on every run. The id reaches Pulumi one turn of the event loop after it is known, when
 * the program's code has declared its resources: if two claim one id, neither is registered, so
 * neither preview nor up writes anything, and the error names both.
 */
function claimedConnectorId(resourceName: string, connectorId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(connectorId).apply(
    (id) =>
      new Promise<string>((resolve, reject) => {
        if (typeof id !== "string") return resolve(id);
        const claimants = connectorClaims.get(idKey(id)) ?? [];
        if (!claimants.includes(resourceName)) claimants.push(resourceName);
        connectorClaims.set(idKey(id), claimants);
        setImmediate(() => {
          if (claimants.length === 1) return resolve(id);
          const names = claimants.map((n) => `"${n}"`);
          reject(
            new pulumi.RunError(
              `DomainJoinConnector resources ${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} ` +
                `${claimants.length === 2 ? "both" : "all"} set connectorId ${JSON.stringify(id)}: a connector can ` +
                "be managed by one resource only. Remove all but one, or give each the id of another connector",
            ),
          );
        });
      }),
  );
}

/**
 * A Microsoft Intune domain join connector (`deviceManagementDomainJoinConnector`, Graph beta).
 *
 * ```ts
 * const connector = new DomainJoinConnector("branch-office", { displayName: "ODJ Connector – Branch" });
 * const adopted = new DomainJoinConnector("hq", {
 *   connectorId: "6f1c…", // registered by the connector software
 *   displayName: "ODJ Connector – HQ",
 * });
 * ```
 */
export class DomainJoinConnector extends pulumi.dynamic.Resource {
  /** The connector's id in Intune (a GUID); also the resource id. */
  declare public readonly connectorId: pulumi.Output<string>;
  /** The display name, as Intune has it. */
  declare public readonly displayName: pulumi.Output<string>;
  /**
   * The connector software version, as Intune has it. Intune's metadata declares it non-null; a
   * connector created through Graph without one shows an empty string (or null, from a service that
   * does not keep to its metadata) until its software reports one.
   */
  declare public readonly version: pulumi.Output<string | null>;
  /**
   * Intune's verdict on the connector's heartbeats, as of the last read: `active` ("actively pinging
   * Intune"), `error` (no heartbeat for an hour) or `inactive` (none for five days). Output only.
   */
  declare public readonly state: pulumi.Output<DomainJoinConnectorState | null>;
  /** When the connector last contacted Intune. Output only: set by the service, never diffed. */
  declare public readonly lastConnectionDateTime: pulumi.Output<string | null>;
  /** True when the connector existed before and was adopted through `connectorId`. */
  declare public readonly adopted: pulumi.Output<boolean>;
  /** Whether destroying the resource deletes the connector (see the argument of the same name). */
  declare public readonly deleteOnDestroy: pulumi.Output<boolean>;

  /**
   * Reads an existing connector into the program without managing it: Pulumi never updates or
   * deletes a resource obtained this way.
   */
  public static get(
    name: string,
    id: pulumi.Input<string>,
    opts?: pulumi.CustomResourceOptions,
  ): DomainJoinConnector {
    return new DomainJoinConnector(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: DomainJoinConnectorArgs, opts?: pulumi.CustomResourceOptions);
  /** @internal */
  constructor(name: string, args: DomainJoinConnectorArgs | undefined, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: DomainJoinConnectorArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    // Pulumi drops input keys named id or urn without a word; carry them under another name so
    // that `check` can say they are output only instead of silently ignoring them.
    const { id, urn, ...rest } = (args ?? {}) as Record<string, unknown>;
    if (args?.connectorId !== undefined) rest.connectorId = claimedConnectorId(name, args.connectorId);
    const given: Record<string, unknown> = { ...rest };
    if (id !== undefined) given[`${OUTPUT_ONLY_PREFIX}id`] = id;
    if (urn !== undefined) given[`${OUTPUT_ONLY_PREFIX}urn`] = urn;
    super(
      // The module's exports object itself (not a copy): Pulumi then stores a `require` of it.
      // Older stacks hold a serialized shim that calls the same implementation, and keep working;
      // their next `pulumi up` rewrites it (see the diff in glue/implementation.ts).
      storedProvider,
      name,
      {
        // Output-only keys must be present (as undefined) to become outputs. The arguments come
        // last and whole, so a mistaken or unknown key reaches `check` and is reported there.
        connectorId: undefined,
        displayName: undefined,
        version: undefined,
        state: undefined,
        lastConnectionDateTime: undefined,
        adopted: undefined,
        deleteOnDestroy: undefined,
        ...given,
      },
      opts,
      "intune",
      "DomainJoinConnector",
    );
    if (args?.state !== undefined) void pulumi.log.warn(STATE_INPUT_IGNORED, this);
  }
}
