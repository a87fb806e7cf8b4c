// A form drawn from a template's JSON Schema, so that a company template needs no pane code. It reads
// the dialect the API serves (pydantic's): $ref into $defs, anyOf with null for an optional field,
// Decimal as number-or-string, "x-format": "money" for an amount with its currency, "x-multiline".
// Inputs are named by field paths, as in the hand-written forms, so forms.js collects the data and
// shows the API's errors beside them. Titles, descriptions and enum values come from templates that
// users upload: they are only ever set as text, never parsed as markup.

import { collect, describeHints, repeatable } from "./forms.js";
import { getPath, isSafePath } from "./paths.js";

// Beyond this depth a schema is taken to loop ($ref to itself) and is not drawn further.
const MAX_DEPTH = 8;
// A field name the pane can use as a step of a path: no dots or brackets.
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Draw the form of `schema` (an object schema) into `container`, replacing what it held. Return
 * `{collect()}`: the data typed, as the schema wants it (numbers as numbers, decimals as strings,
 * booleans, lists), with empty optional fields and rows left entirely empty out. With a `prefix`
 * ("data") the inputs are named as a request holding the data names its fields ("data.client.name"),
 * so that the request's errors find them; collect() returns the data under it all the same.
 */
export function schemaForm(container, schema, { prefix = "" } = {}) {
  const doc = container.ownerDocument;
  const lists = new WeakMap();
  const draw = { doc, root: schema, lists, prefix };
  container.replaceChildren(...sections(draw, resolve(draw, schema)));
  describeHints(container);
  container.addEventListener("input", (event) => {
    if ("upper" in event.target.dataset) event.target.value = event.target.value.toUpperCase();
  });
  return {
    collect() {
      // The innermost lists first: a row of an outer list is empty only once its inner rows are.
      for (const list of [...container.querySelectorAll("[data-list]")].reverse()) lists.get(list)?.prune();
      const data = collect(container);
      return prefix ? getPath(data, prefix) ?? {} : data;
    },
  };
}

/**
 * Return the words for a field: its schema's title, or its name made readable where the title is the
 * one pydantic makes of the name ("Sow Number" for sow_number, as Python's str.title()).
 */
export function labelFor(name, schema = {}) {
  const words = String(name).replace(/_/g, " ").trim();
  const generated = words.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (_, before, letter) => before + letter.toUpperCase());
  const title = typeof schema.title === "string" ? schema.title.trim() : "";
  if (title && title !== generated) return title;
  const readable = words.replace(/-/g, " ");
  return readable.charAt(0).toUpperCase() + readable.slice(1);
}

// Schemas -------------------------------------------------------------------------------------------

// `schema` with its $ref followed (#/$defs/Name or #/definitions/Name) and an allOf of one merged;
// the keywords beside a $ref (a title, a description, a default) win over the definition's. The
// definition's title names its type ("Money", "TasksItem"), not the field: it is left out.
function resolve(draw, schema, depth = 0) {
  if (!schema || typeof schema !== "object" || depth > MAX_DEPTH) return {};
  let { $ref: ref, allOf, ...rest } = schema;
  if (!ref && Array.isArray(allOf) && allOf.length === 1) ref = allOf[0]?.$ref;
  if (typeof ref !== "string") return schema;
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
  const { title: _typeName, ...target } = resolve(draw, match ? draw.root[match[1]]?.[decodeURIComponent(match[2])] : undefined, depth + 1);
  return { ...target, ...rest };
}

const KEPT = ["title", "description", "default", "x-multiline", "x-format"];

/**
 * Return `{kind, schema, nullable}` for a property's schema: kind is one of text, multiline, date,
 * datetime, email, url, integer, number, decimal, boolean, enum, lines, money, object, rows.
 */
function shapeOf(draw, property) {
  let schema = resolve(draw, property);
  let nullable = false;
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) {
    const options = variants.map((variant) => resolve(draw, variant));
    const present = options.filter((option) => option.type !== "null");
    nullable = present.length < options.length;
    const outer = Object.fromEntries(KEPT.filter((key) => key in schema).map((key) => [key, schema[key]]));
    const types = new Set(present.map((option) => option.type));
    if ((types.has("number") || types.has("integer")) && types.has("string") && present.length === 2) {
      return { kind: "decimal", schema: outer, nullable };
    }
    if (present.length > 0 && present.every((option) => "const" in option)) {
      const values = present.map((option) => option.const);
      return { kind: "enum", schema: { ...(values.length === 1 ? { default: values[0] } : {}), ...outer, enum: values }, nullable };
    }
    schema = { ...(present.length === 1 ? present[0] : { type: "string" }), ...outer };
  }
  let type = schema.type;
  if (Array.isArray(type)) {
    nullable ||= type.includes("null");
    type = type.find((each) => each !== "null");
  }
  if (schema["x-format"] === "money") return { kind: "money", schema, nullable };
  if (Array.isArray(schema.enum)) return { kind: "enum", schema, nullable };
  if ("const" in schema) return { kind: "enum", schema: { ...schema, enum: [schema.const], default: schema.default ?? schema.const }, nullable };
  if (type === "object" || schema.properties) return { kind: "object", schema, nullable };
  if (type === "array") {
    const items = resolve(draw, schema.items);
    const objects = items.type === "object" || items.properties;
    return { kind: objects ? "rows" : "lines", schema: { ...schema, items }, nullable };
  }
  if (type === "boolean") return { kind: "boolean", schema, nullable };
  if (type === "integer") return { kind: "integer", schema, nullable };
  if (type === "number") return { kind: "number", schema, nullable };
  const format = { date: "date", "date-time": "datetime", email: "email", uri: "url" }[schema.format];
  if (format) return { kind: format, schema, nullable };
  const multiline = schema["x-multiline"] === true || Number(schema.maxLength) > 300;
  return { kind: multiline ? "multiline" : "text", schema, nullable };
}

// The properties of an object schema that the pane can name: [name, schema, required].
function propertiesOf(schema) {
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => FIELD_NAME.test(name) && isSafePath(name))
    .map(([name, property]) => [name, property, required.has(name)]);
}

// Drawing -------------------------------------------------------------------------------------------

function el(doc, tag, attributes = {}, children = []) {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children);
  return node;
}

// The top level: each object and list in a card of its own, the fields between them in plain cards.
function sections(draw, schema) {
  const cards = [];
  let plain = null;
  for (const [name, property, required] of propertiesOf(schema)) {
    const shape = shapeOf(draw, property);
    const drawn = fieldOf(draw, name, draw.prefix ? `${draw.prefix}.${name}` : name, shape, required, 1);
    if (!drawn) continue;
    if (shape.kind === "object" || shape.kind === "rows") {
      drawn.classList.add("card");
      cards.push(drawn);
      plain = null;
    } else {
      if (!plain) cards.push(plain = el(draw.doc, "div", { class: "card" }));
      plain.append(drawn);
    }
  }
  return cards;
}

// The element for one field at `path`: a .field, a fieldset (objects, money) or a group of rows.
function fieldOf(draw, name, path, shape, required, depth) {
  if (depth > MAX_DEPTH) return null;
  const { kind, schema } = shape;
  const label = labelFor(name, schema);
  const isRequired = required && !shape.nullable;
  if (kind === "object") return objectOf(draw, label, path, schema, depth);
  if (kind === "rows") return rowsOf(draw, label, path, schema, isRequired, depth);
  if (kind === "money") return moneyOf(draw, label, path, schema, isRequired);
  if (kind === "boolean") {
    const box = el(draw.doc, "input", { type: "checkbox", name: path, value: "true", "data-type": "bool" });
    box.checked = schema.default === true;
    return el(draw.doc, "div", { class: "field" }, [
      el(draw.doc, "label", { class: "check" }, [box, el(draw.doc, "span", { class: "label-text", text: label })]),
      ...hint(draw, schema.description),
    ]);
  }
  const control = controlOf(draw, kind, path, schema, isRequired);
  const hints = [schema.description, kind === "lines" ? "One per line." : null, kind === "integer" ? rangeOf(schema) : null]
    .filter(Boolean).join(" ");
  return el(draw.doc, "div", { class: "field" }, [labelled(draw, label, control), ...hint(draw, hints)]);
}

// A label wrapping its words (a span, which the style marks * when the control is required) and control.
function labelled(draw, words, control) {
  return el(draw.doc, "label", {}, [el(draw.doc, "span", { class: "label-text", text: words }), control]);
}

// "A whole number from 0 to 365.", where the schema bounds it.
function rangeOf({ minimum, maximum }) {
  if (typeof minimum === "number" && typeof maximum === "number") return `A whole number from ${minimum} to ${maximum}.`;
  if (typeof minimum === "number") return `A whole number, at least ${minimum}.`;
  if (typeof maximum === "number") return `A whole number, at most ${maximum}.`;
  return null;
}

function hint(draw, text) {
  return typeof text === "string" && text.trim() ? [el(draw.doc, "p", { class: "hint", text: text.trim() })] : [];
}

function controlOf(draw, kind, path, schema, required) {
  const { doc } = draw;
  const common = { name: path, required, autocomplete: "off" };
  const initial = schema.default ?? null;
  let control;
  switch (kind) {
    case "enum": {
      control = el(doc, "select", { name: path, required, "data-type": schema.enum.every((value) => typeof value === "number") ? "number" : null });
      const chosen = initial === null ? null : String(initial);
      if (chosen === null || !required) control.append(el(doc, "option", { value: "", text: required ? "Choose…" : "—" }));
      for (const value of schema.enum) {
        if (value === null) continue;
        control.append(el(doc, "option", { value: String(value), text: String(value), selected: String(value) === chosen }));
      }
      return control;
    }
    case "multiline":
      control = el(doc, "textarea", { ...common, rows: 3, maxlength: schema.maxLength });
      break;
    case "lines":
      control = el(doc, "textarea", { ...common, rows: 3, "data-type": "lines" });
      if (Array.isArray(initial)) control.value = initial.join("\n");
      return control;
    case "integer":
      // Text, not type=number: a browser empties a number input holding "thirty", which the API should name.
      control = el(doc, "input", { ...common, inputmode: "numeric", "data-type": "int" });
      break;
    case "number":
      control = el(doc, "input", { ...common, inputmode: "decimal", "data-type": "number" });
      break;
    case "decimal":
      control = el(doc, "input", { ...common, inputmode: "decimal" });
      break;
    case "date":
      control = el(doc, "input", { ...common, type: "date" });
      break;
    case "datetime":
      control = el(doc, "input", { ...common, type: "datetime-local" });
      break;
    case "email":
      control = el(doc, "input", { ...common, type: "email", maxlength: schema.maxLength });
      break;
    case "url":
      control = el(doc, "input", { ...common, type: "url", maxlength: schema.maxLength });
      break;
    default:
      control = el(doc, "input", { ...common, maxlength: schema.maxLength });
  }
  if (initial !== null && typeof initial !== "object") control.value = String(initial);
  return control;
}

function objectOf(draw, label, path, schema, depth) {
  const fieldset = el(draw.doc, "fieldset", { class: "group object", "data-field": path }, [
    el(draw.doc, "legend", { class: "group-title", text: label }),
    ...hint(draw, schema.description),
  ]);
  for (const [name, property, required] of propertiesOf(schema)) {
    const drawn = fieldOf(draw, name, `${path}.${name}`, shapeOf(draw, property), required, depth + 1);
    if (drawn) fieldset.append(drawn);
  }
  return fieldset;
}

// An amount and its currency side by side; the currency offers the usual codes and is upper case.
function moneyOf(draw, label, path, schema, required) {
  const { doc } = draw;
  const properties = schema.properties ?? {};
  const amount = controlOf(draw, "decimal", `${path}.amount`, resolve(draw, properties.amount), required);
  const currencyShape = shapeOf(draw, properties.currency ?? { type: "string" });
  const currency = controlOf(draw, currencyShape.kind === "enum" ? "enum" : "text", `${path}.currency`, currencyShape.schema, required);
  if (currency.tagName === "INPUT") {
    for (const [name, value] of [["maxlength", "3"], ["list", "currencies"], ["class", "code"], ["data-upper", ""]]) currency.setAttribute(name, value);
  }
  return el(doc, "fieldset", { class: "group money", "data-field": path }, [
    el(doc, "legend", { class: "group-title", text: label }),
    el(doc, "div", { class: "row" }, [
      el(doc, "div", { class: "field" }, [labelled(draw, "Amount", amount)]),
      el(doc, "div", { class: "field" }, [labelled(draw, "Currency", currency)]),
    ]),
    ...hint(draw, schema.description),
  ]);
}

// "Deliverables" -> "Deliverable", "Parties" -> "Party", "Addresses" -> "Address"; else as it is.
function singular(words) {
  if (/ies$/i.test(words)) return words.replace(/ies$/i, "y");
  if (/(ss|sh|ch|x)es$/i.test(words)) return words.replace(/es$/i, "");
  if (/[^su]s$/i.test(words)) return words.slice(0, -1);
  return words;
}

// A list of objects: rows to add and remove (forms.js repeatable), each a fieldset of the item's fields.
function rowsOf(draw, label, path, schema, required, depth) {
  const { doc } = draw;
  const items = schema.items;
  // A row is named by the items' own title, else by the list's name made singular: the title of a
  // definition names a type ("TasksItem"), not what a person adds.
  const noun = typeof items.title === "string" && items.title.trim() ? items.title.trim() : singular(label);
  const min = Math.max(Number(schema.minItems) || 0, required ? 1 : 0);
  const list = el(doc, "div", { class: "rows", "data-list": path, "data-label": noun, "data-min": min });
  const add = el(doc, "button", { type: "button", class: "button subtle add", "data-add": "", text: `Add ${noun.toLowerCase()}` });
  const group = el(doc, "div", { class: "group", "data-field": path }, [
    el(doc, "h3", { class: "group-title", text: label }), ...hint(draw, schema.description), list, add,
  ]);
  const row = () => {
    const item = el(doc, "fieldset", { class: "item" }, [
      el(doc, "legend", {}, [el(doc, "span", { "data-item-label": "", text: `${noun} 1` })]),
      el(doc, "button", { type: "button", class: "button subtle small remove", "data-remove": "", text: "Remove" }),
    ]);
    for (const [name, property, isRequired] of propertiesOf(items)) {
      const drawn = fieldOf(draw, name, `${list.dataset.list}[0].${name}`, shapeOf(draw, property), isRequired, depth + 1);
      if (drawn) item.append(drawn);
    }
    return item;
  };
  const rows = repeatable(list, { row });
  draw.lists.set(list, rows);
  if (min === 0) rows.add();
  add.addEventListener("click", () => rows.add({}, { focus: true }));
  return group;
}
