/**
 * The usual peer: Express 5 + passport + passport-oauth2 with default settings, as apps
 * hand-roll it. The strategy redeems the code (client_secret_post, as node-oauth sends it)
 * and fetches userinfo with the access token in its profile step; the route checks the
 * userinfo email is the one named and answers the seed's JSON. It checks no ID token
 * signature, issuer, audience or nonce, no state or PKCE, and stores nothing.
 *
 * Env: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI. Serves POST /userAccount/oauth/exchange
 * with the seed's body {code, email, provider, redirectUri}. Prints `READY {"url": …}`.
 */
import express from "express";
import passport from "passport";
import OAuth2Strategy from "passport-oauth2";
import { announceReady } from "./lib/ready.ts";

const issuer = process.env.ISSUER ?? "";
const clientId = process.env.CLIENT_ID ?? "";
const clientSecret = process.env.CLIENT_SECRET ?? "";
const redirectUri = process.env.REDIRECT_URI ?? "";
if (!issuer || !clientId || !clientSecret || !redirectUri)
  throw new Error("ISSUER, CLIENT_ID, CLIENT_SECRET and REDIRECT_URI are required");

interface SignedIn {
  params: Record<string, unknown>;
  profile: { email?: unknown };
}

const strategy = new OAuth2Strategy(
  {
    authorizationURL: `${issuer}/authorize`,
    tokenURL: `${issuer}/token`,
    clientID: clientId,
    clientSecret,
    callbackURL: redirectUri,
    state: false,
  },
  (_accessToken, _refreshToken, params, profile, done) =>
    done(null, { params, profile: profile as SignedIn["profile"] } satisfies SignedIn),
);
// Providers expect the access token as a Bearer header, not a query parameter.
strategy._oauth2.useAuthorizationHeaderforGET(true);
strategy.userProfile = (accessToken, done) => {
  strategy._oauth2.get(`${issuer}/userinfo`, accessToken, (error, body) => {
    if (error) return done(error);
    try {
      done(null, JSON.parse(body ?? ""));
    } catch (parseError) {
      done(parseError);
    }
  });
};
passport.use("oauth2", strategy);

const app = express();
app.use(express.json());
app.use(passport.initialize());
app.post("/userAccount/oauth/exchange", passport.authenticate("oauth2", { session: false }), (req, res) => {
  const { params, profile } = req.user as SignedIn;
  const email = (req.body as { email?: unknown }).email;
  if (String(profile.email).toLowerCase() !== String(email).toLowerCase()) {
    res.status(400).json({ error: "EMAIL_MISMATCH" });
    return;
  }
  res.json({ access_token: params.access_token, id_token: params.id_token, token_type: params.token_type, expires_in: params.expires_in });
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  announceReady({ url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
});
server.keepAliveTimeout = 120_000;
