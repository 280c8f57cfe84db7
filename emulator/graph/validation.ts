// Request-body rules for POST and PATCH, in the order and with the messages the OData layer and
// Intune's model validation use.
import { CONNECTOR_TYPE, STATE_TYPE, isConnectorState } from "../connectors/model";
import { isPlainObject } from "../http";
import type { ConnectorState } from "../types";

export interface ConnectorInput {
  displayName?: string | null;
  version?: string;
  state?: ConnectorState;
  /** As written (the create and update examples echo it as sent); what it does is variant contactWrite. */
  lastConnectionDateTime?: string;
}

export type BodyCheck =
  { ok: true; input: ConnectorInput } | { ok: false; code: "BadRequest"; message: string };

const PROPERTIES = new Set(["id", "displayName", "version", "state", "lastConnectionDateTime"]);

function bad(message: string): BodyCheck {
  return { ok: false, code: "BadRequest", message };
}

/**
 * The metadata declares version, state and lastConnectionDateTime `Nullable="false"`; the wording is
 * the OData library's for such a null (Microsoft's pages give none).
 */
function nullNotAllowed(property: string, type: string): BodyCheck {
  return bad(
    `A null value was found for the property named '${property}', which has the expected type '${type}[Nullable=False]'. ` +
      `The expected type '${type}[Nullable=False]' does not allow null values.`,
  );
}

function literal(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Validate a parsed JSON body. `urlId` is the id in the URL for PATCH (undefined for POST). Every
 * property written is in the result but `id`; the caller decides what a written state or last
 * contact does (variants stateWrite, contactWrite).
 */
export function checkConnectorBody(body: unknown, mode: "create" | "update", urlId?: string): BodyCheck {
  if (!isPlainObject(body)) {
    return bad(
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    );
  }
  const input: ConnectorInput = {};
  let properties = 0;
  for (const [key, value] of Object.entries(body)) {
    if (key === "@odata.type") {
      const name = typeof value === "string" ? value.replace(/^#/, "") : literal(value);
      if (name !== CONNECTOR_TYPE) {
        return bad(
          `A type named '${name}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`,
        );
      }
      continue;
    }
    // Other instance and property annotations (@odata.context, displayName@odata.type...) are
    // metadata, not properties; the OData reader skips them.
    if (key.includes("@")) continue;
    if (!PROPERTIES.has(key)) {
      return bad(
        `The property '${key}' does not exist on type '${CONNECTOR_TYPE}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    }
    properties++;
    switch (key) {
      case "id":
        if (typeof value !== "string") return bad(primitiveMismatch("Edm.String"));
        if (mode === "update" && urlId !== undefined && value.toLowerCase() !== urlId.toLowerCase()) {
          return bad(
            `The key value '${value}' in the request body does not match the key value '${urlId}' in the request URL.`,
          );
        }
        break;
      case "displayName":
        // Edm.String without Nullable="false" in the metadata: null and any string are taken.
        if (value !== null && typeof value !== "string") return bad(primitiveMismatch("Edm.String"));
        input.displayName = value;
        break;
      case "version":
        if (value === null) return nullNotAllowed("version", "Edm.String");
        if (typeof value !== "string") return bad(primitiveMismatch("Edm.String"));
        input.version = value;
        break;
      case "state":
        if (value === null) return nullNotAllowed("state", STATE_TYPE);
        if (!isConnectorState(value)) {
          return bad(`Cannot convert the literal '${literal(value)}' to the expected type '${STATE_TYPE}'.`);
        }
        input.state = value;
        break;
      case "lastConnectionDateTime":
        if (value === null) return nullNotAllowed("lastConnectionDateTime", "Edm.DateTimeOffset");
        if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
          return bad(
            `Cannot convert the literal '${literal(value)}' to the expected type 'Edm.DateTimeOffset'.`,
          );
        }
        input.lastConnectionDateTime = value;
        break;
    }
  }
  if (mode === "update" && properties === 0)
    return bad("Invalid patch, at least 1 property must be changed.");
  return { ok: true, input };
}

function primitiveMismatch(type: string): string {
  return `Cannot convert a primitive value to the expected type '${type}'. See the inner exception for more details.`;
}
