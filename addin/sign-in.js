// The sign-in dialog's page (sign-in.html): where Office's single sign-on is not available, the
// pane opens this page in an Office dialog (auth.js, signInWithDialog). It signs the user in with
// MSAL.js, the authorization code flow with PKCE, by redirect within the dialog, and sends the
// access token for this API back to the pane with messageParent ("Authenticate and authorize with
// the Office dialog API", Microsoft Learn). The token is never stored by this page: MSAL keeps its
// own cache in this dialog's session storage, which ends with the dialog.

const GRAPH_FILES = "https://graph.microsoft.com/Files.ReadWrite";

/**
 * Sign in and answer the pane. `msal` is the MSAL.js namespace, `office` Office's, `config` the
 * server's client configuration (GET /api/config), `location` this page's address (its query
 * says: `graph`, consent to Graph too; `fresh`, not a cached token; `claims`, a claims challenge).
 * Resolve once the answer is sent, or once MSAL navigates away to sign the user in.
 */
export async function completeSignIn({ msal, office, config, location }) {
  const send = (answer) => office.context.ui.messageParent(JSON.stringify(answer));
  try {
    if (!config?.identity) throw new Error("this server does not sign users in");
    const { client_id: clientId, scopes } = config.identity;
    const app = await msal.createStandardPublicClientApplication({
      auth: {
        clientId,
        authority: "https://login.microsoftonline.com/organizations",
        redirectUri: `${location.origin}${location.pathname}`,
      },
      cache: { cacheLocation: "sessionStorage" },
    });
    const returned = await app.handleRedirectPromise();
    if (returned?.accessToken) {
      send({ token: returned.accessToken, expiresOn: returned.expiresOn?.toISOString?.() ?? null });
      return;
    }
    const query = new URLSearchParams(location.search);
    const request = {
      scopes,
      extraScopesToConsent: query.get("graph") ? [GRAPH_FILES] : [],
      ...(query.get("claims") ? { claims: query.get("claims") } : {}),
    };
    const [account] = app.getAllAccounts();
    if (account && !query.get("claims")) {
      try {
        const silent = await app.acquireTokenSilent({ ...request, account, forceRefresh: Boolean(query.get("fresh")) });
        send({ token: silent.accessToken, expiresOn: silent.expiresOn?.toISOString?.() ?? null });
        return;
      } catch {
        // Needs the user (consent, MFA, an expired session): sign in interactively below.
      }
    }
    await app.acquireTokenRedirect({ ...request, ...(account ? { account } : { prompt: "select_account" }) });
  } catch (error) {
    send({ error: error?.errorMessage || error?.message || String(error) });
  }
}

// In the dialog: once Office and the page are ready, sign in.
if (globalThis.document?.getElementById("sign-in-status")) {
  const status = document.getElementById("sign-in-status");
  if (!globalThis.Office?.onReady) status.textContent = "Open this page from the Freelance Toolkit pane in Word or Excel.";
  globalThis.Office?.onReady(async () => {
    if (!globalThis.msal) {
      status.textContent = "Sign-in is not installed on this server (MSAL.js is missing). Ask your IT administrator.";
      Office.context.ui.messageParent(JSON.stringify({ error: "MSAL.js is not installed on this server" }));
      return;
    }
    let config;
    try {
      config = await fetch("/api/config", { headers: { Accept: "application/json" } }).then((response) => response.json());
    } catch (error) {
      Office.context.ui.messageParent(JSON.stringify({ error: `the server cannot be reached (${error.message})` }));
      return;
    }
    await completeSignIn({ msal: globalThis.msal, office: Office, config, location });
  });
}
