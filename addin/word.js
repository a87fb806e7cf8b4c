// Word writers. Each takes the request context of a `Word.run` batch, so tests pass a mock context.

import { formatMoney } from "./money.js";

/**
 * Open a .docx (base64) as a new document in its own window: the open document is left as it
 * is. `Application.createDocument` is WordApi 1.3 (Microsoft Learn, Word.Application).
 */
export async function openAsNewDocument(context, base64) {
  context.application.createDocument(base64).open();
  await context.sync();
}

/** What the generated contract brings along when it replaces the open document's content. */
export const REPLACE_OPTIONS = Object.freeze({
  importTheme: true, importStyles: true, importParagraphSpacing: true, importPageColor: true, importDifferentOddEvenPages: true,
});

/**
 * Replace the open document's content with a .docx (base64), its section properties included:
 * `Document.insertFileFromBase64` (WordApi 1.5) copies "headers, footers, watermarks, and other
 * section properties" by default, so page size, margins, the header and "Page X of Y" come along;
 * `Body.insertFileFromBase64` would leave them out. Only after the user confirmed replacing.
 */
export async function replaceDocument(context, base64) {
  context.document.insertFileFromBase64(base64, "Replace", { ...REPLACE_OPTIONS });
  await context.sync();
}

/** The roster fields a contract may carry as content controls tagged `freelancer.<field>`. */
export const FREELANCER_FIELDS = ["name", "business_name", "email", "phone", "address", "country", "tax_id",
  "rate", "rate_unit", "currency", "skills", "profile_url"];

/**
 * Return the lines each `freelancer.<field>` control should show, by tag: an array of lines (an
 * address has several), or null where the roster leaves the field empty.
 */
export function freelancerTexts(freelancer, locale = "en-US") {
  const texts = {};
  for (const field of FREELANCER_FIELDS) {
    let value = freelancer[field];
    if (field === "rate" && value != null && freelancer.currency) value = formatMoney(value, freelancer.currency, locale);
    if (Array.isArray(value)) value = value.join(", ");
    value = value == null ? "" : String(value).trim();
    texts[`freelancer.${field}`] = value ? value.split(/\r\n|\r|\n/).map((line) => line.trim()) : null;
  }
  return texts;
}

/**
 * Write `lines` into `control`, one line break (Shift+Enter) between lines. A break is inserted
 * with `insertBreak(Line)` rather than typed: "\n" in insertText starts a new paragraph, which
 * splits an inline control, and "\v" shows as a line break on Windows but not on the web or Mac
 * (office-js#1755, #4275, #5403).
 */
function writeLines(control, lines) {
  control.insertText(lines[0], "Replace");
  for (const line of lines.slice(1)) {
    control.insertBreak("Line", "End");
    control.insertText(line, "End");
  }
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
    for (const control of controls.items) writeLines(control, texts[tag]);
    result.controls += controls.items.length;
    result.fields.push(tag);
  }
  await context.sync();
  return result;
}

/** The longest text Word's search takes; a longer one fails with SearchStringInvalidOrTooLong. */
export const SEARCH_LIMIT = 255;

/**
 * Return what to search for to find `text`: its start, up to SEARCH_LIMIT characters once escaped.
 * In Word's search "^" starts a special character ("^p" a paragraph mark), so a caret is searched as "^^".
 */
export function searchTextFor(text) {
  let escaped = "";
  for (const character of text) {
    const next = character === "^" ? "^^" : character;
    if (escaped.length + next.length > SEARCH_LIMIT) break;
    escaped += next;
  }
  return escaped;
}

/**
 * Find `text` in the document's body (case as typed; a long text by its first 255 characters) and
 * select its first occurrence, which Word scrolls into view. Return whether it was found.
 */
export async function selectText(context, text) {
  const found = context.document.body.search(searchTextFor(text), { matchCase: true });
  found.load("items");
  await context.sync();
  if (found.items.length === 0) return false;
  found.items[0].select();
  await context.sync();
  return true;
}
