// A real OpenID provider for the single sign-on tests: oidc-provider (certified by the OpenID
// Foundation), on the loopback address, configured from a JSON file the test writes:
//   { "port": 0, "keys": {"keys": [private JWKs]}, "clients": [...], "accounts": {"login": {claims}} }
// Signing keys come from the file, so a test rotates them by starting the provider again with a
// new first key. People sign in through its own development login and consent pages (any
// password; the login must be one of "accounts"). It prints "listening <issuer>" once ready.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: config.keys,
  findAccount(ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  claims: {
    openid: ["sub"],
    profile: ["name"],
    email: ["email", "email_verified"],
    organisation: ["org", "roles"],
  },
  conformIdTokenClaims: false, // the scopes' claims ride in the ID token, as Keycloak's do
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  // The community under test listens on loopback, which the provider's SSRF protection refuses
  // for its outgoing requests (the back-channel logout): these tests talk to nothing else.
  fetch: (url, options) => globalThis.fetch(url, { ...options, dispatcher: undefined }),
  ttl: { IdToken: config.idTokenSeconds || 3600 },
  cookies: { keys: ["community-tests-cookie-key"] },
});
provider.proxy = false;
provider.on("backchannel.error", (ctx, error, client) => console.log(`backchannel logout to ${client.clientId} failed: ${error} ${error.cause}`));
provider.on("server_error", (ctx, error) => console.log(`server error: ${error.stack}`));

const server = provider.listen(config.port, "127.0.0.1", () => {
  console.log(`listening ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
