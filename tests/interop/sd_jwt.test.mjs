// The SD-JWT VC epermit issues, verified by @sd-jwt/sd-jwt-vc (disclosures, key binding,
// status through @sd-jwt/jwt-status-list) with @sd-jwt/crypto-nodejs hashing, and its
// issuer-signed JWT by jose.
import assert from 'node:assert/strict';
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { test } from 'node:test';

import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { base64url, decodeJwt, importJWK, jwtVerify } from 'jose';

import { flipChar, keyFromJwk, makeFixtures } from './fixtures.mjs';

const fx = makeFixtures();
const { meta } = fx;
const issued = fx.text('sd_jwt_issued.txt');
const presentation = fx.text('sd_jwt_presentation.txt');
const statusListJwt = fx.text('status_list.jwt');

// Ed25519 over the JWS signing input (crypto-nodejs 0.19.0 ships ES256/384/512 helpers
// only, so the EdDSA verifier is Node's crypto; the header must say EdDSA).
function ed25519Verifier(key) {
  return async (data, signature) => {
    const header = JSON.parse(Buffer.from(data.split('.')[0], 'base64url'));
    if (header.alg !== 'EdDSA') return false;
    return cryptoVerify(null, Buffer.from(data), key, Buffer.from(signature, 'base64url'));
  };
}

function verifierInstance({ issuerJwk = meta.issuer_jwk, statusList = statusListJwt } = {}) {
  const fetched = [];
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    saltGenerator: generateSalt,
    verifier: ed25519Verifier(keyFromJwk(issuerJwk)),
    // Holder binding: the KB-JWT must be signed by the key in the credential's cnf.jwk.
    kbVerifier: async (data, signature, payload) => ed25519Verifier(keyFromJwk(payload.cnf.jwk))(data, signature),
    statusListFetcher: async (uri) => {
      fetched.push(uri);
      return statusList;
    },
  });
  return { sdjwt, fetched };
}

const parts = (sdJwt) => sdJwt.split('~');

test('issuer-signed JWT: jose verifies it, typ dc+sd-jwt, EdDSA, issuer kid, sha-256', async () => {
  const jwt = parts(presentation)[0];
  const key = await importJWK(meta.issuer_jwk, 'EdDSA');
  const { payload, protectedHeader } = await jwtVerify(jwt, key, {
    algorithms: ['EdDSA'],
    typ: 'dc+sd-jwt',
    issuer: meta.iss,
    currentDate: new Date(meta.now * 1000),
    requiredClaims: ['vct', 'exp', 'iat', 'cnf'],
  });
  assert.equal(protectedHeader.typ, 'dc+sd-jwt');
  assert.equal(protectedHeader.kid, meta.kid);
  assert.equal(payload._sd_alg, 'sha-256');
  assert.equal(payload.vct, meta.sd_jwt_visible.vct);
  assert.deepEqual(payload.cnf.jwk, { kty: 'OKP', crv: 'Ed25519', x: meta.holder_jwk.x });
  // 15 disclosable claims + 2 decoys, and nothing personal in the clear.
  assert.equal(payload._sd.length, 17);
  assert.equal(payload.citizen_id, undefined);
  assert.equal(payload.name, undefined);
  await assert.rejects(jwtVerify(jwt, await importJWK(meta.root_jwk, 'EdDSA')), /signature/i);
});

test('@sd-jwt/sd-jwt-vc verifies the issued credential and every disclosure', async () => {
  const { sdjwt, fetched } = verifierInstance();
  const { payload, header } = await sdjwt.verify(issued, { currentDate: meta.now });
  assert.equal(header.typ, 'dc+sd-jwt');
  for (const [name, value] of Object.entries(meta.sd_jwt_disclosable)) assert.deepEqual(payload[name], value, name);
  assert.equal(payload._sd, undefined);
  assert.deepEqual(fetched, [meta.status_list_uri], 'status list consulted (idx valid)');
  // Each disclosure's digest (crypto-nodejs sha-256) is in _sd exactly once.
  const sd = decodeJwt(parts(issued)[0])._sd;
  const disclosures = parts(issued).slice(1, -1);
  assert.equal(disclosures.length, 15);
  for (const d of disclosures) {
    const h = base64url.encode(digest(d, 'sha-256'));
    assert.equal(h, base64url.encode(createHash('sha256').update(d).digest()));
    assert.equal(sd.filter((x) => x === h).length, 1, d);
  }
});

test('the presentation verifies with key binding; aud and iat checked explicitly', async () => {
  const { sdjwt } = verifierInstance();
  const result = await sdjwt.verify(presentation, { currentDate: meta.now, keyBindingNonce: meta.nonce });
  const { payload, kb } = result;
  // Only what the holder chose is disclosed: district and since-date, not the ID or address.
  assert.deepEqual(payload.resident_district, meta.sd_jwt_disclosable.resident_district);
  assert.equal(payload.resident_since, meta.sd_jwt_disclosable.resident_since);
  for (const hidden of ['citizen_id', 'name', 'residence_address', 'hukou_address', 'birth_date']) {
    assert.equal(payload[hidden], undefined, hidden);
  }
  assert.equal(kb.header.typ, 'kb+jwt');
  assert.equal(kb.header.alg, 'EdDSA');
  assert.equal(kb.payload.nonce, meta.nonce);
  // sd-jwt-js 0.19.0 does not compare aud or judge iat freshness: the verifier must.
  assert.equal(kb.payload.aud, meta.aud);
  assert.ok(Math.abs(kb.payload.iat - meta.now) <= 60, `kb iat ${kb.payload.iat}`);
  // sd_hash: sha-256 over the presentation up to and including the last '~'.
  const withoutKb = presentation.slice(0, presentation.lastIndexOf('~') + 1);
  assert.equal(kb.payload.sd_hash, base64url.encode(digest(withoutKb, 'sha-256')));
});

test('wrong nonce, missing KB-JWT, another holder key: rejected', async () => {
  const { sdjwt } = verifierInstance();
  await assert.rejects(sdjwt.verify(presentation, { currentDate: meta.now, keyBindingNonce: 'other' }), /nonce/i);
  const withoutKb = presentation.slice(0, presentation.lastIndexOf('~') + 1);
  await assert.rejects(sdjwt.verify(withoutKb, { currentDate: meta.now, keyBindingNonce: meta.nonce }), /Key Binding/);
  const other = new SDJwtVcInstance({
    hasher: digest,
    verifier: ed25519Verifier(keyFromJwk(meta.issuer_jwk)),
    kbVerifier: ed25519Verifier(keyFromJwk(meta.root_jwk)),
    statusListFetcher: async () => statusListJwt,
  });
  await assert.rejects(other.verify(presentation, { currentDate: meta.now, keyBindingNonce: meta.nonce }), /Signature/);
});

test('a tampered disclosure is rejected', async () => {
  const { sdjwt } = verifierInstance();
  const p = parts(presentation);
  const i = p.findIndex((d, n) => n > 0 && JSON.parse(Buffer.from(d, 'base64url'))[1] === 'resident_since');
  assert.ok(i > 0);
  const [salt, name] = JSON.parse(Buffer.from(p[i], 'base64url'));
  const forged = [...p];
  forged[i] = base64url.encode(JSON.stringify([salt, name, '2001-01-01']));
  const tampered = forged.join('~');
  // With key binding: sd_hash no longer matches.
  await assert.rejects(sdjwt.verify(tampered, { currentDate: meta.now, keyBindingNonce: meta.nonce }), /sd_hash/);
  // Without: the forged value is never accepted as a claim. (Observed with sd-jwt-js 0.19.0:
  // it ACCEPTS the presentation and silently drops the unreferenced Disclosure, where RFC
  // 9901 §7.1 says the SD-JWT MUST be rejected; epermit's verifier rejects it,
  // reverse.test.mjs checks that.)
  const noKb = tampered.slice(0, tampered.lastIndexOf('~') + 1);
  let claims;
  try {
    ({ payload: claims } = await sdjwt.verify(noKb, { currentDate: meta.now }));
  } catch {
    claims = {};
  }
  assert.notEqual(claims.resident_since, '2001-01-01');
});

test('altered issuer JWT, foreign issuer key, expired, revoked in the status list: rejected', async () => {
  const { sdjwt } = verifierInstance();
  const [jwt, ...rest] = parts(issued);
  const [h, pl, s] = jwt.split('.');
  const badSig = [[h, pl, flipChar(s, 3, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')].join('.'), ...rest].join('~');
  await assert.rejects(sdjwt.verify(badSig, { currentDate: meta.now }), /Signature/);
  const { sdjwt: foreign } = verifierInstance({ issuerJwk: meta.root_jwk });
  await assert.rejects(foreign.verify(issued, { currentDate: meta.now }), /Signature/);
  await assert.rejects(sdjwt.verify(issued, { currentDate: meta.sd_jwt_visible.exp + 1 }), /expired/);
  // epermit's list after this credential's permit was revoked: the default statusValidator refuses.
  const { sdjwt: revoked } = verifierInstance({ statusList: fx.text('status_list_revoked.jwt') });
  await assert.rejects(revoked.verify(issued, { currentDate: meta.now }), /Status is not valid/);
});
