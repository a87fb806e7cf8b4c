// Fakes of Microsoft's side for the sign-in tests: Office's single sign-on (Office.auth), and the
// server at the fetch boundary; officeNamespace (office-fakes.mjs) is the rest of Office. (Not a test file: the test files import it.)

export const IDENTITY = { client_id: "6f1c0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
  scopes: ["api://freelance.contoso.com/6f1c0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b/access_as_user"] };
/** What Entra ID asks for when Conditional Access wants MFA (relayed by the server in a 401). */
export const CLAIMS = '{"access_token":{"polids":{"essential":true,"values":["9ab03e19-ed42-4168-b6b7-7001fb3e933a"]}}}';

/**
 * A fake Office.auth: each getAccessToken call returns "token-<n>" (after `delay` ms, as Office takes
 * a moment) and records its options in `calls`; `error` makes every call reject the way Office does.
 */
export function fakeOffice({ error = null, delay = 0 } = {}) {
  const calls = [];
  return {
    calls,
    auth: {
      async getAccessToken(options) {
        calls.push(options);
        const n = calls.length;
        if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
        if (error) throw error;
        return `token-${n}`;
      },
    },
  };
}

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/**
 * A fake server: GET /api/config answers `identity`; `routes` answers "METHOD /path" with a list of
 * [status, body, headers?] used in turn (the last one repeats); anything else is 200 {"items": []}.
 * `requests` records each request: {url, method, authorization, body?} (the body as sent, where
 * there is one: a string, FormData...).
 */
export function fakeServer({ identity = IDENTITY, routes = {} } = {}) {
  const requests = [];
  const used = {};
  async function fetch(url, options = {}) {
    const method = options.method ?? "GET";
    requests.push({ url, method, authorization: options.headers?.Authorization ?? null, ...(options.body == null ? {} : { body: options.body }) });
    if (url === "/api/config") return json(200, { identity });
    const answers = routes[`${method} ${url}`];
    if (!answers) return json(200, { items: [] });
    const i = Math.min(used[`${method} ${url}`] = (used[`${method} ${url}`] ?? -1) + 1, answers.length - 1);
    const [status, body, headers = {}] = answers[i];
    if (status === 204) return new Response(null, { status });
    return body instanceof ArrayBuffer ? new Response(body, { status, headers }) : json(status, body);
  }
  return { fetch, requests, to: (url) => requests.filter((request) => request.url === url) };
}

// A generated tracker as the server hands it for insertion (GET /api/documents/<id>/insertion), and
// what its workbook holds, for the Excel fake (office-fakes.mjs) to insert.
const TRACKER_HEADERS = ["Freelancer", "Role", "SOW", "Milestone", "Status", "Planned units", "Rate", "Planned amount",
  "Actual units", "Actual amount", "Invoiced", "Variance", "% used"];
export const INSERTION = {
  workbook: Buffer.from("PK\u0003\u0004 xl/worksheets/sheet1.xml xl/tables/table1.xml").toString("base64"),
  sheets: ["Budget"],
  names: [{ name: "ApprovedBudget", sheet: "Budget", address: "A4", scope: "workbook" }],
  print_settings: [{ sheet: "Budget", print_titles: "$6:$6", print_area: null }],
  charts: [{ sheet: "Budget", type: "ColumnClustered", title: "Planned vs actual per freelancer", source: "O6:Q7",
    series_by: "Columns", top_left: "S6", bottom_right: "AB22" }],
  warnings: [],
};
export const TRACKER_FILE = { sheets: [{ name: "Budget", tables: [
  { name: "BudgetLines", headers: TRACKER_HEADERS },
  { name: "FreelancerTotals", headers: ["Freelancer", "Planned", "Actual"] },
] }] };
