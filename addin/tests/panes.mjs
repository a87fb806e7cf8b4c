// The pane's views mounted in jsdom from the real taskpane.html, with Office, Word and Excel faked
// as documented (office-fakes.mjs) and the server at the fetch boundary. (Not a test file.)

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

import { createApi } from "../api.js";
import { fakeOffice, fakeServer, IDENTITY, INSERTION, TRACKER_FILE } from "./fakes.mjs";
import { fakeExcel, fakeWord, officeNamespace } from "./office-fakes.mjs";

export const HTML = readFileSync(new URL("../taskpane.html", import.meta.url), "utf8");
export const RECORD = { id: "d1", filename: "SOW-2027-014 Zoe Angstrom.docx", download_url: "/api/documents/d1/file" };
export const ONEDRIVE = "/api/documents/d1/onedrive";
export const WEB_URL = "https://contoso-my.sharepoint.com/personal/alice/Documents/Freelance%20contracts/SOW-2027-014%20Zoe%20Angstrom.docx";
export const DOCX = new TextEncoder().encode("PK\u0003\u0004").buffer;
export const LINK = "https://127.0.0.1/api/documents/links/signed-token";

export const until = async (condition, what) => {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), `waited for ${what}`);
};

/**
 * Mount `mount`'s view in a fresh page; the server answers generating, downloading and inserting,
 * and `onedrive` for saving. Office has `sets`; `sso` is its single sign-on, which records its calls;
 * `file` is the open document as Office hands it over, `paragraphs` the text of its body; `freelancer` is
 * typed as the contract's freelancer (null: none).
 */
export function mounted(mount, viewId, { host = "word", identity = IDENTITY, onedrive = [[200, { web_url: WEB_URL }]], excel: excelOptions = {},
  sets = { WordApi: "1.5", ExcelApi: "1.17", OpenBrowserWindowApi: "1.1" }, routes = {}, file = {}, paragraphs = [], freelancer = "Zoë Ångström" } = {}) {
  const { window } = new JSDOM(HTML, { url: "https://127.0.0.1/taskpane.html" });
  const sso = fakeOffice();
  const office = officeNamespace({ host, sets, auth: sso.auth, file });
  if (!("OpenBrowserWindowApi" in sets)) delete office.context.ui.openBrowserWindow;
  const server = fakeServer({ identity, routes: {
    "POST /api/documents": [[201, RECORD]],
    "GET /api/documents/d1/file": [[200, DOCX]],
    "GET /api/documents/d1/insertion": [[200, INSERTION]],
    "POST /api/documents/d1/link": [[201, { url: LINK, expires_at: "2026-12-02T10:05:00Z" }]],
    "POST /api/budgets/summary": [[200, { lines: 0 }]],
    [`POST ${ONEDRIVE}`]: onedrive,
    ...routes,
  } });
  const section = window.document.getElementById(viewId);
  section.hidden = false;
  const word = fakeWord({ sets: { WordApi: sets.WordApi ?? "1.1" }, paragraphs });
  const excel = fakeExcel({ sets: { ExcelApi: sets.ExcelApi ?? "1.1" }, files: { [INSERTION.workbook]: TRACKER_FILE }, ...excelOptions });
  const env = { host, identity, api: createApi(server.fetch, { office: host === "browser" ? null : office }),
    Office: office, Word: word, Excel: excel, supports: office.context.requirements.isSetSupported };
  mount(section, env);
  const form = section.querySelector("form");
  // A contract needs its freelancer before anything is sent: one typed in, as someone not on the roster.
  const typed = form?.elements?.["freelancer.name"];
  if (typed && freelancer) typed.value = freelancer;
  return { window, form, office, sso, word, excel, server, box: () => form.querySelector("[data-onedrive]") };
}

