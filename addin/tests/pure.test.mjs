// The pure parts: field paths and error placement, money arithmetic, the API client, the host.

import { test } from "node:test";
import assert from "node:assert/strict";

import { ancestors, describePath, formatPath, getPath, parsePath, placeErrors, setPath } from "../paths.js";
import { amountText, feeSummary, formatMoney, multiply, parseAmount } from "../money.js";
import { ApiError, createApi, toBase64 } from "../api.js";
import { officeHost } from "../host.js";

test("a field path reads and writes nested objects and arrays", () => {
  assert.deepEqual(parsePath("milestones[1].amount"), ["milestones", 1, "amount"]);
  assert.equal(formatPath(["milestones", 1, "amount"]), "milestones[1].amount");
  const data = setPath({}, "milestones[1].amount", "4500");
  setPath(data, "client.name", "Contoso Ltd");
  assert.equal(data.milestones.length, 2);
  assert.deepEqual(data.milestones[1], { amount: "4500" });
  assert.deepEqual(data.client, { name: "Contoso Ltd" });
  assert.equal(getPath(data, "milestones[1].amount"), "4500");
  assert.equal(getPath(data, "fee.amount"), undefined);
  assert.deepEqual(ancestors("milestones[1].amount"), ["milestones[1].amount", "milestones[1]", "milestones"]);
});

test("each error goes to the innermost place that exists; the rest go to the summary", () => {
  const targets = new Set(["milestones[1].amount", "milestones", "freelancer", "project.end_date"]);
  const { placed, unmatched } = placeErrors([
    { field: "milestones[1].amount", message: "USD amounts have at most 2 decimal places" },
    { field: "milestones", message: "the milestone amounts add up to 7000, not to the fixed fee of 7500" },
    { field: "milestones[3].name", message: "is required" }, // no such input: shown with the group
    { field: "freelancer.email", message: "is not a valid email" }, // roster details: the picker
    { field: "locale", message: "is not a known locale" }, // nothing in the form
    { field: "(body)", message: "Input should be an object" },
  ], (path) => targets.has(path));
  assert.deepEqual([...placed.keys()], ["milestones[1].amount", "milestones", "freelancer"]);
  assert.deepEqual(placed.get("milestones"), ["the milestone amounts add up to 7000, not to the fixed fee of 7500", "is required"]);
  assert.deepEqual(unmatched.map((error) => error.field), ["locale", "(body)"]);
});

test("a path reads as words in the summary", () => {
  assert.equal(describePath("milestones[1].amount"), "Milestones 2, amount");
  assert.equal(describePath("fee.estimated_units"), "Fee, estimated units");
  assert.equal(describePath("(body)"), "The request");
});

test("amounts add and multiply exactly, without floating point", () => {
  assert.equal(amountText(parseAmount("0.1") + parseAmount("0.2")), "0.3");
  assert.equal(amountText(parseAmount("3000.00") + parseAmount("4500") + parseAmount("4750.50")), "12250.5");
  assert.equal(amountText(multiply(parseAmount("85.125"), parseAmount("12.5"))), "1064.0625");
  assert.equal(parseAmount("12,5"), null);
  assert.equal(parseAmount("-3"), null);
  assert.equal(formatMoney("12250.5", "USD"), "$12,250.50");
  assert.equal(formatMoney("1000", "EUR", "de-DE"), "1.000,00\u00a0€");
  assert.equal(formatMoney("5", "NOPE"), "5 NOPE");
});

test("the running total says whether the milestones add up to a fixed fee", () => {
  const fee = { model: "fixed", currency: "USD", amount: "7500" };
  assert.deepEqual(feeSummary(fee, ["2500", "5000.00"]), { tone: "ok", text: "Fixed fee $7,500.00: the milestones add up to it." });
  assert.equal(feeSummary(fee, ["2500", ""]).text, "Fixed fee $7,500.00; milestones add up to $2,500.00 ($5,000.00 still to schedule).");
  assert.equal(feeSummary(fee, ["8000"]).tone, "warn");
  assert.match(feeSummary(fee, ["8000"]).text, /\$500\.00 over the fee/);
});

test("the running total of an hourly fee is rate times hours, checked against the cap", () => {
  const fee = { model: "hourly", currency: "USD", rate: "85", estimated_units: "120", cap: "" };
  assert.equal(feeSummary(fee, []).text, "Estimated 120 hours × $85.00 = $10,200.00.");
  assert.equal(feeSummary({ ...fee, cap: "10000" }, []).tone, "warn");
  assert.equal(feeSummary({ ...fee, model: "daily", rate: "" }, []).tone, "none");
});

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
// A server in local mode: GET /api/config says there is no sign-in; `reply(url)` answers the rest.
const localServer = (reply) => async (url, options) => (url === "/api/config" ? json(200, { identity: null }) : reply(url, options));
const answer = (status, body) => localServer(async () => json(status, body));

test("a 400 from the API becomes an ApiError carrying the field errors", async () => {
  const api = createApi(answer(400, { error: "The data is not valid for template sow.", errors: [{ field: "milestones[1].amount", message: "is required" }] }));
  const error = await api.generate("sow", {}).then(() => null, (caught) => caught);
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 400);
  assert.equal(error.message, "The data is not valid for template sow.");
  assert.deepEqual(error.errors, [{ field: "milestones[1].amount", message: "is required" }]);
});

test("an unreachable server and a non-JSON error page still give an ApiError a person can read", async () => {
  const offline = createApi(async () => { throw new TypeError("Failed to fetch"); });
  await assert.rejects(offline.templates(), { name: "ApiError", status: 0, message: /cannot be reached/ });
  const proxy = createApi(localServer(async () => new Response("<h1>Bad gateway</h1>", { status: 502, statusText: "Bad Gateway" })));
  await assert.rejects(proxy.templates(), { status: 502, message: "The server answered 502 Bad Gateway." });
});

test("the roster search asks for active freelancers, a page of eight", async () => {
  let asked;
  const api = createApi(localServer(async (url) => { asked = url; return new Response('{"items": []}'); }));
  await api.searchFreelancers("zoe ang");
  assert.equal(asked, "/api/freelancers?q=zoe+ang&status=active&per_page=8");
});

test("document bytes become base64 for Office's insert methods", () => {
  assert.equal(toBase64(new TextEncoder().encode("PK\u0003\u0004").buffer), "UEsDBA==");
  const big = new Uint8Array(100_000).fill(65);
  assert.equal(Buffer.from(toBase64(big.buffer), "base64").length, 100_000);
});

test("the pane knows its host from Office.onReady alone, however long it takes, and is a web page without office.js", async () => {
  const HostType = { Word: "Word", Excel: "Excel" };
  assert.equal(await officeHost(undefined), "browser");
  assert.equal(await officeHost({ HostType, onReady: async () => ({ host: "Word" }) }), "word");
  assert.equal(await officeHost({ HostType, onReady: async () => ({ host: "Excel" }) }), "excel");
  assert.equal(await officeHost({ HostType, onReady: async () => ({ host: null, platform: null }) }), "browser");
  const slow = () => new Promise((resolve) => { setTimeout(() => resolve({ host: "Excel" }), 50); });
  assert.equal(await officeHost({ HostType, onReady: slow }), "excel", "a slow Office is still Office");
  assert.equal(await officeHost({ HostType, onReady: async () => { throw new Error("no host"); } }), "browser");
});

test("a tracker summary reads as money, a percentage and the lines over budget", async () => {
  const { summaryFigures, summaryNotes } = await import("../views/budget.js");
  const summary = { sheet: "Budget", table: "BudgetLines", currency: "USD", approved_budget: "10000.00", lines: 2,
    planned: "9800.00", actual: "10250.00", invoiced: "0.00", remaining: "-250.00", percent_used: "102.5",
    over_budget: [{ row: 7, freelancer: "Zoe Angstrom", role: "Brand designer", planned: "3400.00", actual: "3850.00", over_by: "450.00" }],
    warnings: [{ field: "Budget!F8", message: "holds text, not a number: counted as 0" }] };
  assert.deepEqual(summaryFigures(summary, "EUR"), [
    ["Approved budget", "$10,000.00", undefined], ["Planned", "$9,800.00", undefined], ["Actual", "$10,250.00", undefined],
    ["Invoiced", "$0.00", undefined], ["Remaining", "-$250.00", "warn"], ["Budget used", "102.5%", "warn"],
    ["Lines", "2", undefined], ["Lines over budget", "1", "warn"]].map((row) => row.filter((cell) => cell !== undefined)));
  assert.deepEqual(summaryNotes(summary), ["Zoe Angstrom (Brand designer) is over budget by $450.00.",
    "Budget!F8: holds text, not a number: counted as 0"]);
});

test("lines to append need a role, planned units and a rate, each named by its field", async () => {
  const { lineProblems } = await import("../views/budget.js");
  assert.deepEqual(lineProblems([{ role: "Designer", planned_units: "40", rate: "85.00" }]), []);
  assert.deepEqual(lineProblems([{ planned_units: "forty", rate: "85" }]).map((problem) => problem.field),
    ["lines[0].role", "lines[0].planned_units"]);
  assert.deepEqual(lineProblems([]), [{ field: "lines", message: "Add at least one freelancer." }]);
});
