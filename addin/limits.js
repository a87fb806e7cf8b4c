// A document form's field limits, from its template's JSON Schema (GET /api/templates/<id>): which
// fields are required, how long a text may be, the range of a number. The HTML lays the fields out and
// words them; the schema alone says what each may hold, so the pane and the API never disagree.

import { parsePath } from "./paths.js";

const REQUIRED = "is required";

// The schema `node` stands for: its $ref followed, and of a nullable union the part that is not null.
function resolve(root, node) {
  let current = node ?? {};
  for (let i = 0; i < 20; i += 1) {
    if (typeof current.$ref === "string" && current.$ref.startsWith("#/$defs/")) {
      current = root.$defs?.[current.$ref.slice("#/$defs/".length)] ?? {};
    } else if (Array.isArray(current.anyOf)) {
      current = current.anyOf.find((part) => part.type !== "null") ?? {};
    } else {
      return current;
    }
  }
  return current;
}

// The names an object schema requires: always, or under a condition (`if` the fee model is fixed, `then`
// the amount). A form shows only the fields of the condition that holds, so requiring them all is right.
function requiredOf(object) {
  const names = new Set(object.required ?? []);
  for (const part of object.allOf ?? []) for (const name of part.then?.required ?? []) names.add(name);
  return names;
}

/**
 * Return what `schema` says of the field at `path` ("milestones[1].amount"): `{schema, required}`, the
 * field's own schema and whether its object requires it; null where the schema has no such field.
 */
export function fieldSchema(schema, path) {
  let node = resolve(schema, schema);
  let required = false;
  for (const step of parsePath(path)) {
    if (typeof step === "number") {
      if (node.type !== "array") return null;
      node = resolve(schema, node.items);
      required = false;
    } else {
      if (!Object.hasOwn(node.properties ?? {}, step)) return null;
      required = requiredOf(node).has(step);
      node = resolve(schema, node.properties[step]);
    }
  }
  return { schema: node, required };
}

/**
 * Give each named control of `form` the limits `schema` sets for its field: `required`, `maxlength`,
 * and `min`/`max` on a number input. Controls the schema does not know (the pane's own) are left alone.
 * Call it again when rows are added: it is idempotent.
 */
export function applyLimits(form, schema) {
  for (const control of form.querySelectorAll("input[name], select[name], textarea[name]")) {
    if ("local" in control.dataset || control.type === "hidden") continue;
    const field = fieldSchema(schema, control.name);
    if (!field) continue;
    const own = field.schema.type === "array" ? resolve(schema, field.schema.items) : field.schema;
    control.required = field.required && !["radio", "checkbox"].includes(control.type);
    setOrRemove(control, "maxlength", field.schema.type === "array" ? null : own.maxLength);
    if (control.type === "number") {
      setOrRemove(control, "min", own.minimum);
      setOrRemove(control, "max", own.maximum);
    }
  }
}

function setOrRemove(control, name, value) {
  if (value === undefined || value === null) control.removeAttribute(name);
  else control.setAttribute(name, String(value));
}

/**
 * Return the required fields of `form` left empty, as the API would name them (`{field, message}`):
 * the enabled controls marked required (by applyLimits) that hold nothing but spaces.
 */
export function missingRequired(form) {
  const missing = [];
  for (const control of form.querySelectorAll("input[required], select[required], textarea[required]")) {
    if (control.matches(":disabled") || "local" in control.dataset || inEmptyOptionalRow(control)) continue;
    if (!control.value.trim()) missing.push({ field: control.name, message: REQUIRED });
  }
  return missing;
}

// A row of a list that may be empty (data-min 0), left blank: it is not sent, so nothing in it is missing.
function inEmptyOptionalRow(control) {
  const row = control.closest("[data-list] > *");
  if (!row || Number(row.parentElement.dataset.min ?? 0) > 0) return false;
  return [...row.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea")]
    .every((each) => !each.value.trim());
}

/**
 * Keep `form`'s limits those of the template `template()` names: fetch its schema through `api`
 * (once per template) and apply it now and after each `refresh()` (rows added, the template changed).
 * Return `{refresh}`. Where the schema cannot be had, the form keeps working: the API checks anyway.
 */
export function keepLimits(form, api, template) {
  const schemas = new Map();
  let wanted = null;
  async function refresh() {
    const id = template();
    wanted = id;
    if (!schemas.has(id)) schemas.set(id, Promise.resolve().then(() => api.schema(id)).catch(() => null));
    const schema = await schemas.get(id);
    if (!schema) schemas.delete(id); // asked again at the next refresh: a failure may pass
    if (schema && wanted === id) applyLimits(form, schema);
  }
  refresh();
  return { refresh };
}
