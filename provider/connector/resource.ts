/**
 * The Pulumi resource: `DomainJoinConnector`, a dynamic resource whose provider is stored in state
 * as a reference to this package (stored-provider.ts), so state stays small and holds no
 * captured value.
 */
import * as pulumi from "@pulumi/pulumi";
import * as storedProvider from "./stored-provider";
import { OUTPUT_PROPERTIES } from "./definition";
import { idKey } from "./ownership";
import { ignoredInputWarnings } from "./check";
import { OUTPUT_ONLY_PREFIX, PACKAGE_NAME, RESOURCE_NAME, RESOURCE_NAME_INPUT } from "./constants";
import {
  DomainJoinConnectorOutputs,
  type DomainJoinConnectorArgs,
  type DomainJoinConnectorState,
} from "./resource-types";

export type { DomainJoinConnectorArgs, DomainJoinConnectorState };

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
export class DomainJoinConnector extends DomainJoinConnectorOutputs {
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
      // their next `pulumi up` rewrites it (see the diff in provider.ts).
      storedProvider,
      name,
      {
        // Every output must be present (as undefined) to become one. The arguments come last and
        // whole, so a mistaken or unknown key reaches `check` and is reported there.
        ...Object.fromEntries(OUTPUT_PROPERTIES.map((key) => [key, undefined])),
        ...given,
        // The dynamic protocol does not say which resource a call is about: ownership errors need it.
        [RESOURCE_NAME_INPUT]: name,
      },
      opts,
      PACKAGE_NAME,
      RESOURCE_NAME,
    );
    for (const warning of ignoredInputWarnings(rest)) void pulumi.log.warn(warning, this);
  }
}
