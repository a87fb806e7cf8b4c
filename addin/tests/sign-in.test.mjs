// The sign-in dialog's page against a fake MSAL.js (Microsoft identity is faked at its boundary):
// it finishes a redirect by sending the token to the pane, signs in silently where it can, asks for
// Graph consent, fresh tokens and claims when told to, and reports failures instead of hanging.

import { test } from "node:test";
import assert from "node:assert/strict";

import { completeSignIn } from "../sign-in.js";
import { IDENTITY } from "./fakes.mjs";

const LOCATION = (search = "") => new URL(`https://freelance.contoso.com/sign-in.html${search}`);
const EXPIRES = new Date("2026-12-02T11:00:00Z");

/** MSAL as far as the page uses it: `returned` is what a finished redirect gives, `account` a signed-in account. */
function fakeMsal({ returned = null, account = null, silent = null } = {}) {
  const calls = [];
  const app = {
    async handleRedirectPromise() { calls.push(["handleRedirectPromise"]); return returned; },
    getAllAccounts: () => (account ? [account] : []),
    async acquireTokenSilent(request) {
      calls.push(["acquireTokenSilent", request]);
      if (silent instanceof Error) throw silent;
      return silent;
    },
    async acquireTokenRedirect(request) { calls.push(["acquireTokenRedirect", request]); },
  };
  return {
    calls,
    msal: { async createStandardPublicClientApplication(config) { calls.push(["create", config]); return app; } },
  };
}

function fakeDialogOffice() {
  const sent = [];
  return { sent, context: { ui: { messageParent: (message) => sent.push(JSON.parse(message)) } } };
}

test("back from Microsoft's sign-in, the page sends the token and its expiry to the pane", async () => {
  const { msal, calls } = fakeMsal({ returned: { accessToken: "eyJ.dialog", expiresOn: EXPIRES } });
  const office = fakeDialogOffice();
  await completeSignIn({ msal, office, config: { identity: IDENTITY }, location: LOCATION() });
  assert.deepEqual(office.sent, [{ token: "eyJ.dialog", expiresOn: "2026-12-02T11:00:00.000Z" }]);
  const [, config] = calls[0];
  assert.equal(config.auth.clientId, IDENTITY.client_id);
  assert.equal(config.auth.redirectUri, "https://freelance.contoso.com/sign-in.html", "the registered SPA redirect URI");
  assert.equal(config.cache.cacheLocation, "sessionStorage");
});

test("a first visit signs in by redirect (auth code flow with PKCE, MSAL's only flow), for this API's scope", async () => {
  const { msal, calls } = fakeMsal();
  const office = fakeDialogOffice();
  await completeSignIn({ msal, office, config: { identity: IDENTITY }, location: LOCATION() });
  assert.deepEqual(calls.at(-1), ["acquireTokenRedirect", { scopes: IDENTITY.scopes, extraScopesToConsent: [], prompt: "select_account" }]);
  assert.deepEqual(office.sent, [], "nothing is sent before the user signed in");
});

test("with an account signed in already, a token comes silently; `fresh` forces a new one and `graph` asks Graph consent", async () => {
  const account = { username: "alice@contoso.com" };
  const { msal, calls } = fakeMsal({ account, silent: { accessToken: "eyJ.silent", expiresOn: EXPIRES } });
  const office = fakeDialogOffice();
  await completeSignIn({ msal, office, config: { identity: IDENTITY }, location: LOCATION("?graph=1&fresh=1") });
  assert.deepEqual(calls.at(-1), ["acquireTokenSilent", { scopes: IDENTITY.scopes, extraScopesToConsent: ["https://graph.microsoft.com/Files.ReadWrite"],
    account, forceRefresh: true }]);
  assert.deepEqual(office.sent, [{ token: "eyJ.silent", expiresOn: EXPIRES.toISOString() }]);
});

test("when the silent token needs the user (consent, MFA), the page signs in by redirect; a claims challenge goes along", async () => {
  const account = { username: "alice@contoso.com" };
  const claims = '{"access_token":{"polids":{"essential":true}}}';
  const { msal, calls } = fakeMsal({ account, silent: Object.assign(new Error("interaction_required"), { errorCode: "interaction_required" }) });
  await completeSignIn({ msal, office: fakeDialogOffice(), config: { identity: IDENTITY }, location: LOCATION("?fresh=1") });
  assert.equal(calls.at(-1)[0], "acquireTokenRedirect");

  const challenged = fakeMsal({ account, silent: { accessToken: "never" } });
  await completeSignIn({ msal: challenged.msal, office: fakeDialogOffice(), config: { identity: IDENTITY },
    location: LOCATION(`?claims=${encodeURIComponent(claims)}`) });
  assert.deepEqual(challenged.calls.at(-1), ["acquireTokenRedirect", { scopes: IDENTITY.scopes, extraScopesToConsent: [], claims, account }],
    "a claims challenge is never answered from the cache");
});

test("a failed sign-in is sent to the pane as an error, not left hanging", async () => {
  const { msal } = fakeMsal({ returned: null });
  msal.createStandardPublicClientApplication = async () => { throw Object.assign(new Error("x"), { errorMessage: "AADSTS50020: User account from a different tenant" }); };
  const office = fakeDialogOffice();
  await completeSignIn({ msal, office, config: { identity: IDENTITY }, location: LOCATION() });
  assert.deepEqual(office.sent, [{ error: "AADSTS50020: User account from a different tenant" }]);

  const local = fakeDialogOffice();
  await completeSignIn({ msal: fakeMsal().msal, office: local, config: { identity: null }, location: LOCATION() });
  assert.match(local.sent[0].error, /does not sign users in/);
});
