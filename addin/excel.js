// Excel writers. Each takes the request context of an `Excel.run` batch, so tests pass a mock context.

/** The tracker's table of freelancer lines (sheet "Budget"). */
export const LINES_TABLE = "BudgetLines";

/** Each input column of the BudgetLines table and the budget line field it holds. */
export const COLUMN_FIELDS = {
  Freelancer: "freelancer", Role: "role", SOW: "sow_number", Milestone: "milestone", Status: "status",
  "Planned units": "planned_units", Rate: "rate", "Actual units": "actual_units", Invoiced: "invoiced_amount",
};
const NUMBER_FIELDS = new Set(["planned_units", "rate", "actual_units", "invoiced_amount"]);
/** The tracker's formula columns: never written, Excel fills them (a calculated column). */
export const CALCULATED_COLUMNS = new Set(["Planned amount", "Actual amount", "Variance", "% used"]);

/** Insert the worksheets of an .xlsx (base64) at the end of the open workbook; return their ids. */
export async function insertTracker(context, base64) {
  const ids = context.workbook.insertWorksheetsFromBase64(base64, { positionType: "End" });
  await context.sync();
  if (ids.value?.length) {
    context.workbook.worksheets.getItem(ids.value[0]).activate();
    await context.sync();
  }
  return ids.value ?? [];
}

/**
 * Return one table row for `line`, in the order of `headers`: input columns take the line's value
 * by column name; formula columns and columns the tracker does not know get null, which leaves the
 * cell to Excel (a calculated column fills its formula into a new row).
 */
export function rowValues(headers, line, calculated = CALCULATED_COLUMNS) {
  return headers.map((header) => {
    const field = COLUMN_FIELDS[header];
    if (calculated.has(header) || field === undefined) return null;
    const value = line[field];
    if (value === undefined || value === null || value === "") return field === "status" ? "planned" : "";
    return NUMBER_FIELDS.has(field) ? Number(value) : asText(String(value));
  });
}

/**
 * Return `text` as Excel keeps it as text: a leading apostrophe (Excel's own mark for "this is
 * text") before anything Excel would otherwise run as a formula (=, +, -, @, tab, CR) or eat (').
 */
export function asText(text) {
  return /^[=+\-@\t\r']/.test(text) ? `'${text}` : text;
}

/**
 * Append `lines` to the BudgetLines table, writing each value under its column's header. The one
 * blank line of an empty tracker is filled rather than left above the new lines.
 * Return the number of lines written; raise Error when the workbook has no BudgetLines table.
 */
export async function appendLines(context, lines) {
  const table = context.workbook.tables.getItemOrNullObject(LINES_TABLE);
  table.load("isNullObject");
  await context.sync();
  if (table.isNullObject) {
    throw new Error(`This workbook has no ${LINES_TABLE} table. Insert a budget tracker first.`);
  }
  const header = table.getHeaderRowRange().load("values");
  const body = table.getDataBodyRange().load("formulas");
  await context.sync();

  const headers = header.values[0].map((name) => String(name).trim());
  const formulas = body.formulas;
  // A column whose first row holds a formula is calculated too (a company may add its own).
  const calculated = new Set([...CALCULATED_COLUMNS,
    ...headers.filter((_, i) => String(formulas[0]?.[i] ?? "").startsWith("="))]);
  const rows = lines.map((line) => rowValues(headers, line, calculated));
  if (rows.length === 0) return 0;

  const blank = formulas.length === 1 && headers.every((name, i) => calculated.has(name) || formulas[0][i] === "");
  if (blank) {
    table.rows.getItemAt(0).getRange().values = [rows[0]];
    rows.shift();
  }
  if (rows.length) table.rows.add(null, rows);
  await context.sync();
  return lines.length;
}
