// Sign-in for a server in Entra ID mode: an access token for this API from Office's single sign-on,
// asked for per request and never stored (Office caches tokens itself), and what to tell a person
// when Office cannot get one. Where Office's SSO is not available (errors 13000/13001/13003/13007/
// 13012/50001), the pane signs the user in through an Office dialog running MSAL.js (auth code flow
// with PKCE), as Microsoft's "Enable single sign-on in an Office Add-in" asks ("you must always
// implement a fallback"). In local mode (no sign-in) nothing here runs.

/**
 * What each token request for this API allows: Office may show its sign-in and consent prompts.
 * No `forMSGraphAccess`: calls to our own API need no Graph consent, and with it Office answers
 * 13012 where Graph consent is missing, which would lock the whole pane out.
 */
export const SIGN_IN_OPTIONS = Object.freeze({ allowSignInPrompt: true, allowConsentPrompt: true });
/** The token for a call the server turns into a Microsoft Graph token (saving to OneDrive). */
export const GRAPH_OPTIONS = Object.freeze({ ...SIGN_IN_OPTIONS, forMSGraphAccess: true });
/**
 * Office's SSO errors after which the pane signs in through its dialog instead ("Troubleshoot error
 * messages for single sign-on (SSO)": the add-in "should fall back to an alternate system").
 */
export const FALLBACK_CODES = new Set([13000, 13001, 13003, 13007, 13012, 50001]);
/** The page the sign-in dialog opens; registered as the app's single-page application redirect URI. */
export const SIGN_IN_PAGE = "/sign-in.html";

/** Office could not give a token: `code` is Office's number (13001...) or "no-office"; `message` says what to do. */
export class SignInError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "SignInError";
    this.code = code;
  }
}

/** Said when the server needs sign-in and the pane runs outside Office, where there is no one to ask. */
export const NEEDS_OFFICE = "This server asks you to sign in with your work account, and the toolkit signs you in " +
  "through Word or Excel only. Open Word or Excel and choose the Freelance tab.";

const ADMIN = "if it keeps happening, ask your IT administrator to check the Freelance Toolkit's app registration.";

// Office's getAccessToken error codes, from Microsoft's "Troubleshoot error messages for single sign-on (SSO)".
const MESSAGES = {
  13000: "This version of Office cannot sign you in to add-ins. Update Office (a Microsoft 365 subscription, " +
    `any monthly channel), or use Word or Excel on the web; ${ADMIN}`,
  13001: "You're not signed in to Office. Sign in with your work account (File > Account), then try again.",
  13002: "Sign-in was cancelled, so nothing was sent. Try again, and finish signing in (and accept the permissions) when Office asks.",
  13003: "Office is signed in with an account the toolkit can't use (such as a local domain account). " +
    "Sign in to Office with your work or school account, then try again.",
  13004: "Sign-in is not set up correctly for this add-in: its manifest does not match this server. " +
    "Ask your IT administrator to install the manifest from this server's address.",
  13005: "Office isn't allowed to sign you in to the Freelance Toolkit yet: consent is missing or was withdrawn. " +
    "Ask your IT administrator to grant consent for the Freelance Toolkit, then try again.",
  13006: "Office on the web had a sign-in problem. Sign out of Office, close the browser, open it again and sign in, then try again.",
  13007: "Office couldn't get a sign-in for the toolkit. Make sure Office is signed in with your work account " +
    `(not a personal Microsoft account), then try again in a minute; ${ADMIN}`,
  13008: "Office is still finishing an earlier sign-in. Wait a moment, then try again.",
  13010: "Your browser's security zones keep Office from signing you in. Follow the instructions Office showed " +
    "(your Microsoft 365 site and login.microsoftonline.com must be in the same zone), then reload the page.",
  13012: "Sign-in isn't available where Office runs now (for example on an iPad, in Teams, or before your organisation " +
    "has consented to the toolkit's Microsoft Graph permissions). Open the document in Word or Excel on Windows, Mac " +
    `or the web; ${ADMIN}`,
  13013: "Office received too many sign-in requests in a short time. Wait a minute, then try again.",
  50001: "Office's sign-in files are out of date. Close the pane and open it again (or update Office), then try again.",
};

/** Return what to tell a person when Office's getAccessToken failed with `code`. */
export function signInMessage(code) {
  return MESSAGES[code] ?? `Office could not sign you in (error ${code ?? "unknown"}). Close the pane, open it again ` +
    `from the Freelance tab and try again; ${ADMIN}`;
}

/**
 * Return an access token for this API from Office's SSO (`office` is the Office namespace), or
 * null when `config` (GET /api/config) says the server needs no sign-in. `authChallenge` carries
 * the claims of a claims challenge (MFA, Continuous Access Evaluation) so Office asks the user for
 * them; `graph` asks for a token the server may exchange for Microsoft Graph.
 * Raise SignInError when there is no Office to ask or Office fails.
 */
export async function getToken(office, config, { authChallenge, graph = false } = {}) {
  if (!config?.identity) return null;
  if (typeof office?.auth?.getAccessToken !== "function") throw new SignInError("no-office", NEEDS_OFFICE);
  const options = { ...(graph ? GRAPH_OPTIONS : SIGN_IN_OPTIONS), ...(authChallenge ? { authChallenge } : {}) };
  let token;
  try {
    token = await office.auth.getAccessToken(options);
  } catch (error) {
    throw new SignInError(error?.code ?? "unknown", signInMessage(error?.code));
  }
  if (typeof token !== "string" || !token) throw new SignInError("empty", signInMessage("empty"));
  return token;
}

// The Office dialog API's errors ("Use the Office dialog API in Office Add-ins": 12006 closed by
// the user, 12007 a dialog is open already, 12009 the user ignored it, 12011 the browser blocks it).
const DIALOG_MESSAGES = {
  12006: "Sign-in was cancelled, so nothing was sent. Try again, and finish signing in when the window asks.",
  12007: "A sign-in window is open already: finish signing in there.",
  12009: "The sign-in window was not allowed to open. Try again, and choose Allow when Office asks.",
  12011: "Your browser blocked the sign-in window. Allow pop-ups for this Office site, then try again.",
};

/**
 * Sign in through an Office dialog: it opens SIGN_IN_PAGE, which signs in with MSAL.js and sends
 * back `{token, expiresOn}` or `{error}`. `fresh` asks for a new token rather than MSAL's cached one.
 * Resolve to `{token, expiresOn}`; raise SignInError.
 */
export function signInWithDialog(office, { graph = false, fresh = false, authChallenge, origin = globalThis.location?.origin } = {}) {
  const query = new URLSearchParams();
  if (graph) query.set("graph", "1");
  if (fresh) query.set("fresh", "1");
  if (authChallenge) query.set("claims", authChallenge);
  const search = query.toString();
  const url = `${origin}${SIGN_IN_PAGE}${search ? `?${search}` : ""}`;
  return new Promise((resolve, reject) => {
    const fail = (code, message) => reject(new SignInError(code, message ?? DIALOG_MESSAGES[code] ?? signInMessage(code)));
    office.context.ui.displayDialogAsync(url, { height: 60, width: 30 }, (opened) => {
      if (opened.status === office.AsyncResultStatus.Failed) {
        fail(opened.error?.code);
        return;
      }
      const dialog = opened.value;
      dialog.addEventHandler(office.EventType.DialogMessageReceived, (arg) => {
        dialog.close();
        let answer = null;
        try {
          answer = JSON.parse(arg.message);
        } catch {
          // Not ours: refused below.
        }
        if (typeof answer?.token === "string" && answer.token) resolve({ token: answer.token, expiresOn: answer.expiresOn ?? null });
        else fail("dialog", `Signing in did not finish: ${answer?.error ?? "the sign-in window sent nothing usable"}. Try again.`);
      });
      dialog.addEventHandler(office.EventType.DialogEventReceived, (arg) => fail(arg.error));
    });
  });
}

/**
 * Return the pane's token source: `token(config, {authChallenge, graph, fresh, refused})` resolves
 * to a token for this API (null in local mode); `refused` is the token a 401 answered, never given again
 * where the dialog can do better. Office's SSO first; after an error in FALLBACK_CODES,
 * and where the dialog API is there (`canUseDialog`), the dialog sign-in for the rest of the
 * session. Its token is kept in memory only, until it expires or `fresh` asks for a new one (a
 * 401 from the server); SSO tokens are never kept (Office keeps them).
 */
export function createSignIn(office, { canUseDialog = false, dialog = signInWithDialog, now = () => Date.now() } = {}) {
  let fallback = false;
  const kept = new Map(); // by purpose: "graph" tokens carry the Graph consent, "api" ones may not
  let opening = null; // one dialog at a time: Office refuses a second (12007)
  async function viaDialog(options) {
    const purpose = options.graph ? "graph" : "api";
    const token = kept.get(purpose);
    const valid = token && !options.fresh && !options.authChallenge && (!token.expiresOn || Date.parse(token.expiresOn) - now() > 60_000);
    if (valid) return token.token;
    opening ??= dialog(office, options).finally(() => { opening = null; });
    const signedIn = await opening;
    kept.set(purpose, signedIn);
    return signedIn.token;
  }
  return {
    async token(config, options = {}) {
      if (!config?.identity) return null;
      if (fallback) return viaDialog(options);
      let token;
      try {
        token = await getToken(office, config, options);
      } catch (error) {
        if (!(canUseDialog && FALLBACK_CODES.has(error.code))) throw error;
        fallback = true;
        return viaDialog(options);
      }
      // Office has no "refresh" for SSO: given back the token the server just refused, sign in anew.
      if (options.refused && token === options.refused && canUseDialog) return viaDialog({ ...options, fresh: true });
      return token;
    },
  };
}
