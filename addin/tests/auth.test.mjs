// Sign-in against a server in Entra ID mode: Office's token on every API call as a Bearer, never
// kept; claims challenges and expired tokens retried once; Office's errors told in plain words.
// Office is a small fake of Office.auth; the server is faked at the fetch boundary.

import { test } from "node:test";
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";

import { createApi } from "../api.js";
import {
  createSignIn, FALLBACK_CODES, getToken, GRAPH_OPTIONS, NEEDS_OFFICE, signInMessage, SIGN_IN_OPTIONS, SignInError, signInWithDialog,
} from "../auth.js";
import { CLAIMS, fakeOffice, fakeServer, IDENTITY } from "./fakes.mjs";
import { officeNamespace } from "./office-fakes.mjs";

const ONEDRIVE = "/api/documents/d1/onedrive";
const SAVED = [200, { web_url: "https://contoso-my.sharepoint.com/personal/alice/Documents/Freelance%20contracts/SOW.docx" }];

test("in local mode no request carries a token and Office is never asked for one", async () => {
  const office = fakeOffice();
  const server = fakeServer({ identity: null });
  const api = createApi(server.fetch, { office });
  await api.templates();
  await api.searchFreelancers("zoe");
  await api.generate("sow", {});
  assert.deepEqual(server.requests.map((request) => request.authorization), [null, null, null, null]);
  assert.deepEqual(office.calls, []);
  assert.equal(server.to("/api/config").length, 1, "the configuration is read once");
});

test("when the server signs users in, every API call carries Office's token as a Bearer", async () => {
  const office = fakeOffice();
  const server = fakeServer({ routes: {
    "POST /api/documents": [[201, { id: "d1", filename: "SOW.docx", download_url: "/api/documents/d1/file" }]],
    "GET /api/documents/d1/file": [[200, new TextEncoder().encode("PK").buffer]],
    [`POST ${ONEDRIVE}`]: [SAVED],
  } });
  const api = createApi(server.fetch, { office });
  const record = await api.generate("sow", {});
  await api.file(record);
  await api.searchFreelancers("zoe");
  await api.freelancer("f1");
  await api.budgetSummary(new ArrayBuffer(2));
  assert.deepEqual(await api.saveToOneDrive(record), SAVED[1]);

  const [config, ...calls] = server.requests;
  assert.deepEqual(config, { url: "/api/config", method: "GET", authorization: null }, "the configuration is public");
  assert.deepEqual(calls.map((request) => request.authorization), ["token-1", "token-2", "token-3", "token-4", "token-5", "token-6"]
    .map((token) => `Bearer ${token}`), "a token asked of Office for each call, none reused from memory");
  assert.deepEqual(office.calls, [...Array(5).fill(SIGN_IN_OPTIONS), GRAPH_OPTIONS],
    "only the OneDrive save, which the server turns into a Graph call, asks for Graph access");
  assert.deepEqual(SIGN_IN_OPTIONS, { allowSignInPrompt: true, allowConsentPrompt: true });
  assert.deepEqual(GRAPH_OPTIONS, { ...SIGN_IN_OPTIONS, forMSGraphAccess: true });
});

test("no token is stored: local and session storage, cookies and the page stay untouched", async () => {
  const { window } = new JSDOM("<!doctype html><p>pane</p>", { url: "https://127.0.0.1/taskpane.html" });
  const writes = [];
  const setItem = window.Storage.prototype.setItem;
  window.Storage.prototype.setItem = function (key, value) { writes.push([key, value]); return setItem.call(this, key, value); };
  const globals = { localStorage: window.localStorage, sessionStorage: window.sessionStorage, document: window.document };
  const saved = Object.fromEntries(Object.keys(globals).map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]));
  Object.entries(globals).forEach(([name, value]) => Object.defineProperty(globalThis, name, { value, configurable: true, writable: true }));
  try {
    const office = fakeOffice();
    const server = fakeServer({ routes: { [`POST ${ONEDRIVE}`]: [[401, { error: "Sign in again.", claims: CLAIMS }], SAVED] } });
    const api = createApi(server.fetch, { office });
    await api.searchFreelancers("zoe");
    await api.saveToOneDrive({ id: "d1" });
  } finally {
    Object.entries(saved).forEach(([name, descriptor]) => (descriptor ? Object.defineProperty(globalThis, name, descriptor) : delete globalThis[name]));
  }
  assert.deepEqual(writes, []);
  assert.equal(window.localStorage.length, 0);
  assert.equal(window.sessionStorage.length, 0);
  assert.equal(window.document.cookie, "");
  assert.ok(!window.document.documentElement.outerHTML.includes("token-"));
});

test("a claims challenge asks Office again with the claims, then sends the request once more", async () => {
  const office = fakeOffice();
  const server = fakeServer({ routes: { [`POST ${ONEDRIVE}`]: [
    [401, { error: "Microsoft needs you to sign in again before saving to OneDrive.", errors: [], claims: CLAIMS }], SAVED] } });
  const api = createApi(server.fetch, { office });
  assert.deepEqual(await api.saveToOneDrive({ id: "d1" }), SAVED[1]);
  assert.deepEqual(office.calls, [{ ...GRAPH_OPTIONS }, { ...GRAPH_OPTIONS, authChallenge: CLAIMS }]);
  assert.deepEqual(server.to(ONEDRIVE).map((request) => request.authorization), ["Bearer token-1", "Bearer token-2"]);
});

test("a second claims challenge is not chased: the server's message is the answer", async () => {
  const office = fakeOffice();
  const challenged = [401, { error: "Microsoft needs you to sign in again before saving to OneDrive.", errors: [], claims: CLAIMS }];
  const server = fakeServer({ routes: { [`POST ${ONEDRIVE}`]: [challenged, challenged, SAVED] } });
  const api = createApi(server.fetch, { office });
  await assert.rejects(api.saveToOneDrive({ id: "d1" }),
    { name: "ApiError", status: 401, message: "Microsoft needs you to sign in again before saving to OneDrive." });
  assert.equal(server.to(ONEDRIVE).length, 2);
  assert.equal(office.calls.length, 2);
});

test("a 401 without claims (an expired token) gets a fresh token from Office and is retried once", async () => {
  const office = fakeOffice();
  const expired = [401, { error: "The access token is not valid: Signature has expired.", errors: [] }];
  const server = fakeServer({ routes: { "GET /api/freelancers/f1": [expired, [200, { id: "f1" }]], "GET /api/freelancers/f2": [expired] } });
  const api = createApi(server.fetch, { office });
  assert.deepEqual(await api.freelancer("f1"), { id: "f1" });
  assert.deepEqual(office.calls, [{ ...SIGN_IN_OPTIONS }, { ...SIGN_IN_OPTIONS }], "no authChallenge without claims");
  assert.deepEqual(server.to("/api/freelancers/f1").map((request) => request.authorization), ["Bearer token-1", "Bearer token-2"]);

  await assert.rejects(api.freelancer("f2"), { status: 401, message: /Signature has expired/ });
  assert.equal(server.to("/api/freelancers/f2").length, 2, "retried once, not again");
});

test("overlapping requests share one getAccessToken call (Office on the web refuses a second: 13008)", async () => {
  const office = fakeOffice({ delay: 20 });
  const server = fakeServer();
  const api = createApi(server.fetch, { office });
  await Promise.all([api.searchFreelancers("z"), api.searchFreelancers("zo"), api.templates()]);
  assert.equal(office.calls.length, 1);
  assert.deepEqual(server.requests.slice(1).map((request) => request.authorization), ["Bearer token-1", "Bearer token-1", "Bearer token-1"]);
  await api.templates();
  assert.equal(office.calls.length, 2, "once settled, the token is dropped: the next call asks Office again");
});

// Each of Office's getAccessToken errors, and what the pane says (a regex on the message).
const OFFICE_ERRORS = [
  [13000, /version of Office cannot sign you in.*Update Office/],
  [13001, /not signed in to Office.*Sign in with your work account/],
  [13002, /Sign-in was cancelled.*Try again/],
  [13003, /account the toolkit can't use.*work or school account/],
  [13004, /manifest does not match.*administrator/],
  [13005, /consent is missing.*administrator to grant consent/],
  [13006, /Office on the web.*Sign out of Office, close the browser/],
  [13007, /couldn't get a sign-in.*not a personal Microsoft account/],
  [13008, /still finishing an earlier sign-in.*Wait a moment/],
  [13010, /security zones.*same zone/],
  [13012, /isn't available where Office runs now.*iPad.*Teams/],
  [13013, /too many sign-in requests.*Wait a minute/],
  [50001, /sign-in files are out of date.*open it again/],
  [12345, /could not sign you in \(error 12345\).*administrator/], // a code Microsoft adds later
];

test("each Office sign-in error becomes a message saying what to do, and nothing is sent", async () => {
  for (const [code, says] of OFFICE_ERRORS) {
    const office = fakeOffice({ error: { code, name: "Error", message: "internal" } });
    const server = fakeServer();
    const api = createApi(server.fetch, { office });
    const error = await api.templates().then(() => null, (caught) => caught);
    assert.ok(error instanceof SignInError, `${code}: ${error}`);
    assert.equal(error.code, code);
    assert.match(error.message, says, `${code}`);
    assert.equal(error.message, signInMessage(code));
    assert.deepEqual(server.requests.map((request) => request.url), ["/api/config"], `${code}: nothing sent without a token`);
    assert.equal(office.calls.length, 1, `${code}: Office is asked once`);
  }
});

test("outside Office with sign-in on, the pane says sign-in needs Word or Excel and does not loop", async () => {
  const server = fakeServer();
  const api = createApi(server.fetch, { office: null });
  for (let i = 0; i < 3; i += 1) {
    await assert.rejects(api.searchFreelancers("zoe"), { name: "SignInError", code: "no-office", message: NEEDS_OFFICE });
  }
  assert.match(NEEDS_OFFICE, /Word or Excel/);
  assert.deepEqual(server.requests.map((request) => request.url), ["/api/config"], "the API is not asked for what it would refuse");
  // office.js loaded in a plain browser has no Office.auth to ask.
  await assert.rejects(getToken({ onReady() {} }, { identity: IDENTITY }), { code: "no-office" });
});

test("getToken gives null when the server needs no sign-in, and refuses an empty token", async () => {
  assert.equal(await getToken(fakeOffice(), { identity: null }), null);
  assert.equal(await getToken(null, { identity: null }), null);
  const empty = { auth: { getAccessToken: async () => "" } };
  await assert.rejects(getToken(empty, { identity: IDENTITY }), { name: "SignInError" });
});

test("an unreachable server while reading the configuration is retried on the next call", async () => {
  let down = true;
  const server = fakeServer({ identity: null });
  const api = createApi(async (url, options) => {
    if (down) throw new TypeError("Failed to fetch");
    return server.fetch(url, options);
  }, { office: fakeOffice() });
  await assert.rejects(api.templates(), { name: "ApiError", status: 0, message: /cannot be reached/ });
  down = false;
  await api.templates();
  assert.deepEqual(server.requests.map((request) => [request.url, request.authorization]), [["/api/config", null], ["/api/templates", null]]);
});

// The fallback sign-in: an Office dialog running MSAL.js, where Office's SSO is not available.

const ORIGIN = "https://freelance.contoso.com";
/** Office with SSO failing with `code`, and a dialog answering each opening with the next of `answers`. */
function officeWithDialog(code, answers, { sets = { DialogApi: "1.1" } } = {}) {
  let opened = 0;
  const auth = fakeOffice({ error: code === null ? null : { code, name: "Error", message: "internal" } });
  const office = officeNamespace({ sets, auth: auth.auth, dialog: () => answers[Math.min(opened++, answers.length - 1)] });
  return { office, sso: auth };
}
const dialogIn = (origin) => (office, options) => signInWithDialog(office, { ...options, origin });
const message = (body) => ({ message: JSON.stringify(body) });

test("where Office's SSO is not available (13000/13001/13003/13007/13012/50001), the dialog signs the user in", async () => {
  assert.deepEqual([...FALLBACK_CODES].sort(), [13000, 13001, 13003, 13007, 13012, 50001]);
  for (const code of FALLBACK_CODES) {
    const { office, sso } = officeWithDialog(code, [message({ token: "dialog-token", expiresOn: "2999-01-01T00:00:00Z" })]);
    const server = fakeServer();
    const api = createApi(server.fetch, { signIn: createSignIn(office, { canUseDialog: true, dialog: dialogIn(ORIGIN) }) });
    await api.templates();
    await api.searchFreelancers("zoe");
    assert.deepEqual(server.requests.slice(1).map((request) => request.authorization), ["Bearer dialog-token", "Bearer dialog-token"], `${code}`);
    assert.equal(sso.calls.length, 1, `${code}: SSO is not asked again once it failed`);
    assert.deepEqual(office.dialogs.map((dialog) => dialog.url), [`${ORIGIN}/sign-in.html`], `${code}: one dialog, its token kept in memory`);
  }
});

test("a 401 after the dialog sign-in asks the dialog for a fresh token, not the one refused", async () => {
  const { office } = officeWithDialog(13012, [message({ token: "dialog-1" }), message({ token: "dialog-2" })]);
  const expired = [401, { error: "The access token is not valid: Signature has expired.", errors: [] }];
  const server = fakeServer({ routes: { "GET /api/freelancers/f1": [expired, [200, { id: "f1" }]] } });
  const api = createApi(server.fetch, { signIn: createSignIn(office, { canUseDialog: true, dialog: dialogIn(ORIGIN) }) });
  assert.deepEqual(await api.freelancer("f1"), { id: "f1" });
  assert.deepEqual(server.to("/api/freelancers/f1").map((request) => request.authorization), ["Bearer dialog-1", "Bearer dialog-2"]);
  assert.deepEqual(office.dialogs.map((dialog) => dialog.url), [`${ORIGIN}/sign-in.html`, `${ORIGIN}/sign-in.html?fresh=1`]);
});

test("a kept dialog token about to expire is replaced before it is sent", async () => {
  let now = Date.parse("2026-12-02T10:00:00Z");
  const { office } = officeWithDialog(13012, [message({ token: "dialog-1", expiresOn: "2026-12-02T10:30:00Z" }), message({ token: "dialog-2" })]);
  const signIn = createSignIn(office, { canUseDialog: true, dialog: dialogIn(ORIGIN), now: () => now });
  const config = { identity: IDENTITY };
  assert.equal(await signIn.token(config), "dialog-1");
  now = Date.parse("2026-12-02T10:29:30Z");
  assert.equal(await signIn.token(config), "dialog-2");
});

test("saving to OneDrive through the dialog asks it for Graph consent too", async () => {
  const { office } = officeWithDialog(13012, [message({ token: "dialog-1" })]);
  const api = createApi(fakeServer({ routes: { [`POST ${ONEDRIVE}`]: [SAVED] } }).fetch,
    { signIn: createSignIn(office, { canUseDialog: true, dialog: dialogIn(ORIGIN) }) });
  await api.saveToOneDrive({ id: "d1" });
  assert.deepEqual(office.dialogs.map((dialog) => dialog.url), [`${ORIGIN}/sign-in.html?graph=1`]);
});

test("a cancelled SSO (13002), or a host without the dialog API, does not open the dialog", async () => {
  const cancelled = officeWithDialog(13002, [message({ token: "never" })]);
  await assert.rejects(createSignIn(cancelled.office, { canUseDialog: true, dialog: dialogIn(ORIGIN) }).token({ identity: IDENTITY }),
    { name: "SignInError", code: 13002 });
  assert.deepEqual(cancelled.office.dialogs, []);

  const noDialog = officeWithDialog(13012, [message({ token: "never" })], { sets: {} });
  assert.equal(noDialog.office.context.ui.displayDialogAsync, undefined, "no DialogApi, no displayDialogAsync");
  await assert.rejects(createSignIn(noDialog.office, { canUseDialog: false }).token({ identity: IDENTITY }),
    { name: "SignInError", code: 13012, message: signInMessage(13012) });
});

test("the dialog's failures become messages: closed by the user, blocked, or a sign-in error sent back", async () => {
  const cases = [
    [{ event: 12006 }, 12006, /cancelled/],
    [{ error: 12007 }, 12007, /open already/],
    [{ error: 12011 }, 12011, /blocked the sign-in window/],
    [message({ error: "AADSTS65001: The user or administrator has not consented" }), "dialog", /did not finish: AADSTS65001/],
    [{ message: "not json" }, "dialog", /sent nothing usable/],
  ];
  for (const [answer, code, says] of cases) {
    const { office } = officeWithDialog(13012, [answer]);
    await assert.rejects(createSignIn(office, { canUseDialog: true, dialog: dialogIn(ORIGIN) }).token({ identity: IDENTITY }),
      (error) => error instanceof SignInError && error.code === code && says.test(error.message), `${JSON.stringify(answer)}`);
  }
});

test("a 401 answered with the token Office keeps giving (SSO has no refresh) signs in through the dialog", async () => {
  const office = officeNamespace({ sets: { DialogApi: "1.1" }, auth: { getAccessToken: async () => "cached-sso-token" },
    dialog: () => message({ token: "dialog-token" }) });
  const expired = [401, { error: "The access token is not valid: Signature has expired.", errors: [] }];
  const server = fakeServer({ routes: { "GET /api/freelancers/f1": [expired, [200, { id: "f1" }]] } });
  const api = createApi(server.fetch, { signIn: createSignIn(office, { canUseDialog: true, dialog: dialogIn(ORIGIN) }) });
  assert.deepEqual(await api.freelancer("f1"), { id: "f1" });
  assert.deepEqual(server.to("/api/freelancers/f1").map((request) => request.authorization), ["Bearer cached-sso-token", "Bearer dialog-token"]);
  assert.deepEqual(office.dialogs.map((dialog) => dialog.url), [`${ORIGIN}/sign-in.html?fresh=1`]);
});
