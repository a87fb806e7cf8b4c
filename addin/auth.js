// Sign-in for a server in Entra ID mode: an access token for this API from Office's single sign-on,
// asked for per request and never kept (Office caches tokens itself), and what to tell a person
// when Office cannot get one. In local mode (no sign-in) nothing here runs.

/** What each token request allows: Office may show its sign-in and consent prompts; the server
 * exchanges the token for Microsoft Graph (OneDrive) on the user's behalf. */
export const SIGN_IN_OPTIONS = Object.freeze({ allowSignInPrompt: true, allowConsentPrompt: true, forMSGraphAccess: true });

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
 * Return an access token for this API from `office` (the Office namespace), or null when `config`
 * (GET /api/config) says the server needs no sign-in. `authChallenge` carries the claims of a
 * claims challenge (MFA, Continuous Access Evaluation) so Office asks the user for them.
 * Raise SignInError when there is no Office to ask or Office fails.
 */
export async function getToken(office, config, { authChallenge } = {}) {
  if (!config?.identity) return null;
  if (typeof office?.auth?.getAccessToken !== "function") throw new SignInError("no-office", NEEDS_OFFICE);
  let token;
  try {
    token = await office.auth.getAccessToken(authChallenge ? { ...SIGN_IN_OPTIONS, authChallenge } : { ...SIGN_IN_OPTIONS });
  } catch (error) {
    throw new SignInError(error?.code ?? "unknown", signInMessage(error?.code));
  }
  if (typeof token !== "string" || !token) throw new SignInError("empty", signInMessage("empty"));
  return token;
}
