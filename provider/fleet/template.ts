/**
 * Placeholders in a fleet's connectors: `{{name}}`, `{{tenantId}}` and the tenant's own `values`
 * (`{{site}}`), so one template serves every tenant. Pure. A value put in is never read again for
 * placeholders, and a placeholder that names nothing known is reported, never left in or emptied.
 */

/** A placeholder's key: a letter or `_`, then letters, digits or `_`. Spaces inside the braces are allowed. */
export const PLACEHOLDER_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Filled {
  text: string;
  /** Keys of well-formed placeholders that name no known value, in order, once each. */
  unknown: string[];
  /** Placeholders that are not well formed (`{{ 2x }}`, a `{{` never closed), as written. */
  malformed: string[];
}

/** Fills the placeholders of one string. */
export function fillText(text: string, values: Readonly<Record<string, string>>): Filled {
  let out = "";
  let at = 0;
  const unknown: string[] = [];
  const malformed: string[] = [];
  for (;;) {
    const open = text.indexOf("{{", at);
    if (open < 0) {
      out += text.slice(at);
      break;
    }
    const close = text.indexOf("}}", open + 2);
    if (close < 0) {
      malformed.push(text.slice(open));
      out += text.slice(at);
      break;
    }
    out += text.slice(at, open);
    const key = text.slice(open + 2, close).trim();
    if (!PLACEHOLDER_KEY.test(key)) malformed.push(text.slice(open, close + 2));
    else if (!Object.hasOwn(values, key)) {
      if (!unknown.includes(key)) unknown.push(key);
    } else out += values[key];
    at = close + 2;
  }
  return { text: out, unknown, malformed };
}

/** A string that did not fill: where it is (`[1].displayName`), and what was wrong. */
export interface FillProblem {
  path: string;
  unknown: string[];
  malformed: string[];
}

/**
 * Fills every string inside a value of lists and objects (keys are left as they are); `path` is
 * where the value is, for the problems.
 */
export function fillValue(
  value: unknown,
  values: Readonly<Record<string, string>>,
  path = "",
): { value: unknown; problems: FillProblem[] } {
  const problems: FillProblem[] = [];
  const walk = (v: unknown, at: string): unknown => {
    if (typeof v === "string") {
      const filled = fillText(v, values);
      if (filled.unknown.length || filled.malformed.length)
        problems.push({ path: at, unknown: filled.unknown, malformed: filled.malformed });
      return filled.text;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${at}[${i}]`));
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, `${at}.${k}`)]));
    }
    return v;
  };
  return { value: walk(value, path), problems };
}
