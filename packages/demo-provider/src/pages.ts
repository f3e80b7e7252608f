/**
 * The provider's own pages: plain, self-contained, no scripts, and clearly labelled as a stand-in
 * on every page (the banner), so nobody mistakes the demo for an identity provider.
 */

/** What the pages say about the provider: its label and the line under the login form. */
export interface PageText {
  label: string;
  loginHint: string | undefined;
}

const PAGE_STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f3f1ea}
.banner{background:#7a4b00;color:#fff;padding:.5rem 1rem;font-size:.9rem;text-align:center}
main{max-width:24rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #d8d4c6;border-radius:8px}
h1{font-size:1.3rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;padding:.55rem;font:inherit;border:1px solid #8c8c8c;border-radius:4px}
button{font:inherit;padding:.55rem 1.1rem;border-radius:4px;border:1px solid #5a3700;background:#7a4b00;color:#fff;cursor:pointer;margin-top:1rem}
button.secondary{background:#fff;color:#5a3700}
:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.error{background:#fde7e9;border:1px solid #c42b1c;color:#8a1c12;padding:.5rem .75rem;border-radius:4px}
.hint{color:#57606a;font-size:.9rem;margin-top:1.25rem}
.actions{display:flex;gap:.75rem}
ul{padding-left:1.2rem}
pre{white-space:pre-wrap;font-size:.85rem}
`;

/** Response headers of every page. */
export const PAGE_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(label: string, title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(label)}</title><style>${PAGE_STYLE}</style></head>
<body><div class="banner" role="note"><strong>${escapeHtml(label)}</strong> · a stand-in OpenID Provider on this machine, for trying things out. Not for real accounts.</div>
<main>${content}</main></body></html>`;
}

const SCOPE_WORDS: Record<string, string> = {
  openid: "sign you in",
  email: "see your email address",
  profile: "see your name",
  offline_access: "stay signed in while you are away",
};

/** The login form of interaction `uid`; again with `problem` and the login typed when it failed. */
export function loginPage(text: PageText, uid: string, clientId: string, problem?: string, login = ""): string {
  return loginForm(text, `/interaction/${uid}/login`, clientId, problem, login);
}

/** The login form posting to `action` (the OpenID interaction's, or the SAML IdP's), for the app named. */
export function loginForm(text: PageText, action: string, appName: string, problem?: string, login = ""): string {
  return page(
    text.label,
    "Sign in",
    `<h1>Sign in to continue to ${escapeHtml(appName)}</h1>
${problem ? `<p class="error" role="alert" id="problem">${escapeHtml(problem)}</p>` : ""}
<form method="post" action="${escapeHtml(action)}">
<label for="login">Email</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(login)}"${login ? "" : " autofocus"}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"${login ? " autofocus" : ""}>
<button id="submit" type="submit">Sign in</button>
</form>
${text.loginHint ? `<p class="hint" id="hint">${escapeHtml(text.loginHint)}</p>` : ""}`,
  );
}

/** The consent question of interaction `uid`: the scopes in words, Allow and Deny. */
export function consentPage(text: PageText, uid: string, clientId: string, scope: string): string {
  const asks = scope
    .split(" ")
    .filter(Boolean)
    .map((s) => `<li>${escapeHtml(SCOPE_WORDS[s] ?? s)}</li>`)
    .join("");
  return page(
    text.label,
    "Allow access",
    `<h1>${escapeHtml(clientId)} would like to</h1>
<ul>${asks}</ul>
<p>Scopes asked for: <code>${escapeHtml(scope)}</code></p>
<div class="actions">
<form method="post" action="/interaction/${uid}/confirm"><button id="allow" type="submit">Allow</button></form>
<form method="post" action="/interaction/${uid}/abort"><button id="deny" class="secondary" type="submit">Deny</button></form>
</div>`,
  );
}

/** The page oidc-provider renders for an error: its error fields, one a line. */
export function errorPage(label: string, out: Record<string, unknown>): string {
  const lines = Object.entries(out).map(([k, v]) => `${k}: ${escapeHtml(String(v))}`);
  return page(label, "error", `<h1>The provider cannot continue</h1><pre>${lines.join("\n")}</pre>`);
}
