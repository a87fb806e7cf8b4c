// Word writers. Each takes the request context of a `Word.run` batch, so tests pass a mock context.

import { formatMoney } from "./money.js";

/** Replace the whole body of the open document with a .docx given as base64. */
export async function replaceBody(context, base64) {
  context.document.body.insertFileFromBase64(base64, "Replace");
  await context.sync();
}

/** The roster fields a contract may carry as content controls tagged `freelancer.<field>`. */
export const FREELANCER_FIELDS = ["name", "business_name", "email", "phone", "address", "country", "tax_id",
  "rate", "rate_unit", "currency", "skills", "profile_url"];

/**
 * Return the text each `freelancer.<field>` control should show, by tag. Fields the roster leaves
 * empty map to null. Line breaks become "\v": insertText turns "\n" into a new paragraph, which
 * would split an inline content control, while "\v" is a line break inside it (Shift+Enter).
 */
export function freelancerTexts(freelancer, locale = "en-US") {
  const texts = {};
  for (const field of FREELANCER_FIELDS) {
    let value = freelancer[field];
    if (field === "rate" && value != null && freelancer.currency) value = formatMoney(value, freelancer.currency, locale);
    if (Array.isArray(value)) value = value.join(", ");
    value = value == null ? "" : String(value).trim();
    texts[`freelancer.${field}`] = value ? value.replace(/\r\n|\r|\n/g, "\v") : null;
  }
  return texts;
}

/**
 * Refill every content control tagged `freelancer.<field>` with `freelancer`'s value.
 * Return `{controls, fields, keptAsIs}`: the number of controls rewritten, the tags rewritten, and
 * the tags found in the document whose value the roster leaves empty (those are not blanked).
 */
export async function refillFreelancer(context, freelancer, locale = "en-US") {
  const texts = freelancerTexts(freelancer, locale);
  const found = Object.keys(texts).map((tag) => {
    const controls = context.document.contentControls.getByTag(tag);
    controls.load("items");
    return [tag, controls];
  });
  await context.sync();

  const result = { controls: 0, fields: [], keptAsIs: [] };
  for (const [tag, controls] of found) {
    if (controls.items.length === 0) continue;
    if (texts[tag] === null) {
      result.keptAsIs.push(tag);
      continue;
    }
    for (const control of controls.items) control.insertText(texts[tag], "Replace");
    result.controls += controls.items.length;
    result.fields.push(tag);
  }
  await context.sync();
  return result;
}
