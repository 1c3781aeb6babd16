// A real OpenID Connect provider for StarGate's SSO browser tests, listening on loopback only.
//
// Usage: node provider.mjs  (configured by the environment)
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI: the one client, StarGate
//   OIDC_USERS_FILE: JSON {"<login>": {"email": ..., "name": ..., "groups": [...]}}, read on every
//     lookup so that a test can change a user's groups between two logins
//
// It listens on a free port and prints one JSON line {"issuer": ...} once it serves requests.
// The login and consent pages are oidc-provider's development interactions: the login form takes
// any password, but only the logins in OIDC_USERS_FILE have an account.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
};

const usersFile = env('OIDC_USERS_FILE');

function findAccount(ctx, accountId) {
  const user = JSON.parse(readFileSync(usersFile, 'utf8'))[accountId];
  if (!user) return undefined;
  return {
    accountId,
    claims: () => ({
      sub: accountId,
      preferred_username: accountId,
      name: user.name ?? accountId,
      email: user.email,
      email_verified: true,
      groups: user.groups ?? [],
    }),
  };
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: env('OIDC_CLIENT_ID'),
        client_secret: env('OIDC_CLIENT_SECRET'),
        redirect_uris: [env('OIDC_REDIRECT_URI')],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    // Like a Keycloak group-membership mapper on the client: the groups come with the profile,
    // without a scope of their own.
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'groups'],
    },
    findAccount,
    // StarGate sends a PKCE challenge; requiring it here makes the browser tests prove it.
    pkce: { required: () => true },
    cookies: { keys: ['stargate-tests-only-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
