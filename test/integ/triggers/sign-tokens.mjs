// Signs the JWTs of the JWT authorizer's integration test with jose, as an issuer would: run as
// `node sign-tokens.mjs <issuer> <audience>` (jose is an ES module; Jest runs the tests as CommonJS).
// Prints the issuer's public key set and one token per case, as JSON.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const [issuer, audience] = process.argv.slice(2);
const run = Date.now().toString(36);

const rsa = await generateKeyPair('RS256');
const ec = await generateKeyPair('ES256');
const rogue = await generateKeyPair('RS256'); // signs with the RSA key's id, but is not in the key set
const kids = { rsa: `rsa-${run}`, ec: `ec-${run}` };

async function sign(key, alg, kid, claims, { aud = audience, iss = issuer, expiresIn = '10m', notBefore } = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg, kid })
    .setIssuedAt()
    .setIssuer(iss)
    .setAudience(aud)
    .setSubject('user-1');
  jwt.setExpirationTime(expiresIn);
  if (notBefore) jwt.setNotBefore(notBefore);
  return jwt.sign(key);
}

const claims = { scope: 'orders:read orders:write', groups: ['buyers', 'beta'], email_verified: true };
const tokens = {
  valid: await sign(rsa.privateKey, 'RS256', kids.rsa, claims),
  validEs256: await sign(ec.privateKey, 'ES256', kids.ec, { scope: 'orders:read' }),
  wrongAudience: await sign(rsa.privateKey, 'RS256', kids.rsa, claims, { aud: 'payments' }),
  wrongIssuer: await sign(rsa.privateKey, 'RS256', kids.rsa, claims, { iss: 'https://someone-else.test/' }),
  expired: await sign(rsa.privateKey, 'RS256', kids.rsa, claims, { expiresIn: '-5m' }),
  notYetValid: await sign(rsa.privateKey, 'RS256', kids.rsa, claims, { notBefore: '5m' }),
  badSignature: await sign(rogue.privateKey, 'RS256', kids.rsa, claims),
};
const jwks = {
  keys: [
    { ...(await exportJWK(rsa.publicKey)), kid: kids.rsa, alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: kids.ec, alg: 'ES256', use: 'sig' },
  ],
};
process.stdout.write(JSON.stringify({ jwks, tokens }));
