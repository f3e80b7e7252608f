// @ts-check
/* global location */
// The sign-in page: initAuth → the organisation's providers → the provider → /callback →
// oauth/exchange → authenticate → signed in. Opened as /?next=admin, it then hands the access
// token to the admin console (POST /admin/session) and goes there: how an organisation admin
// signs in to the console. Plain browser JavaScript modules, no dependencies, type-checked by
// `npm run typecheck` (src/web/tsconfig.json).

import { handleCallback } from "./signin-callback.js";
import { page, publicUrl, show } from "./signin-page.js";
import { openConsole, showSignedIn, storedTokens, wireSignOut } from "./signin-session.js";
import { wireStartSteps } from "./signin-start.js";

wireStartSteps();
wireSignOut();

if (location.origin !== new URL(publicUrl).origin) {
  // Storage is per origin: sign in on the public URL, where the provider sends you back.
  location.replace(`${publicUrl}/${page.next ? "?next=admin" : ""}`);
} else if (location.pathname === "/callback") {
  handleCallback();
} else if (storedTokens()?.accessToken) {
  // Already signed in in this tab: /?next=admin hands the session over at once.
  if (showSignedIn() && page.next === "admin") openConsole();
} else {
  show("view-email", { focus: false });
}
