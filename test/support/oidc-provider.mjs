// A real OpenID provider for the sign-in tests: the `oidc-provider` package with its development
// interactions (a login form that takes any login, and a consent form), in its own process.
// Accounts come from OIDC_ACCOUNTS (login -> claims). A test can make the next ID token the token
// endpoint answers a hostile one (POST /__test/next-id-token {"tamper": ...}): signed by another key,
// for another audience, expired, with another nonce, or issued by someone else: the provider's own
// answer otherwise, with its own key, so each check of the client is exercised on its own.
// Prints {"issuer": "..."} on its first line once it listens.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';

const { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URL, OIDC_ACCOUNTS } = process.env;
const accounts = JSON.parse(OIDC_ACCOUNTS ?? '{}');

const KID = 'provider-key-1';
const own = await generateKeyPair('RS256', { extractable: true });
const foreign = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(own.privateKey)), kid: KID, alg: 'RS256', use: 'sig' };

let tamper = 'none';

async function forge(idToken) {
  const header = decodeProtectedHeader(idToken);
  const claims = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = own.privateKey;
  let kid = header.kid;
  switch (tamper) {
    case 'foreign-key':
      key = foreign.privateKey; // the provider's kid, another key's signature
      break;
    case 'unknown-key':
      key = foreign.privateKey;
      kid = 'not-a-provider-key';
      break;
    case 'wrong-audience':
      claims.aud = 'another-client';
      break;
    case 'expired':
      claims.iat = now - 3600;
      claims.exp = now - 1800;
      break;
    case 'wrong-nonce':
      claims.nonce = 'not-the-nonce-that-was-sent';
      break;
    case 'wrong-issuer':
      claims.iss = 'https://impostor.example';
      break;
    default:
      throw new Error(`unknown tamper ${tamper}`);
  }
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: header.typ }).sign(key);
}

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: OIDC_CLIENT_ID,
      client_secret: OIDC_CLIENT_SECRET,
      redirect_uris: [OIDC_REDIRECT_URL],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [jwk] },
  features: { devInteractions: { enabled: true } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], roles: ['roles'] },
  scopes: ['openid', 'email', 'profile', 'roles'],
  // The scopes' claims go into the ID token (as Keycloak, Entra ID and Okta can be set to do).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...(accounts[sub] ?? {}) }) }),
});
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.method === 'POST' && ctx.status === 200 && tamper !== 'none') {
    const body = typeof ctx.body === 'string' ? JSON.parse(ctx.body) : ctx.body;
    if (body?.id_token) {
      ctx.body = { ...body, id_token: await forge(body.id_token) };
      tamper = 'none';
    }
  }
});
const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.method === 'POST' && req.url === '/__test/next-id-token') {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      tamper = JSON.parse(text).tamper;
      res.end('ok');
    });
    return;
  }
  callback(req, res);
});
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
