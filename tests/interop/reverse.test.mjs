// The reverse direction: credentials made by the Node libraries (QR via cbor-x, @auth0/cose,
// zlib with the preset dictionary and base45; SD-JWT VC via @sd-jwt/sd-jwt-vc; status list
// via @sd-jwt/jwt-status-list + jose) verify in epermit's verifier when their key is in the
// trust list, and do not when it is not.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';

import { Algorithms, Headers, Sign1 } from '@auth0/cose';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { StatusList, createHeaderAndPayload } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import base45 from 'base45';
import { Encoder } from 'cbor-x';
import { SignJWT } from 'jose';

import { checkWithEpermit, makeFixtures, publicJwk } from './fixtures.mjs';

const fx = makeFixtures();
const { meta } = fx;
const dictionary = fx.bytes('qr_dictionary.bin');
const now = Math.floor(Date.now() / 1000);

const newKey = (kid) => ({ kid, ...generateKeyPairSync('ed25519') });
const trusted = newKey('310000-20260101-n0de');
const untrusted = newKey('310000-20260101-dead');
// An attacker's key that claims the trusted kid.
const impostor = { ...newKey('x'), kid: trusted.kid };
const holder = newKey('holder');

// ---- QR ----

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false });

function qrClaims(overrides = {}) {
  const c = { ...meta.qr_claims, iat: now, exp: now + 3600, status_index: meta.status_index, ...overrides };
  // Keys and types as src/credential/qr_payload.hpp documents, in its order.
  return new Map([
    [1, c.iss],
    [4, c.exp],
    [6, c.iat],
    [65535, new Map([['status_list', new Map([['idx', c.status_index], ['uri', meta.status_list_uri]])]])],
    [-70001, c.permit_number],
    [-70002, c.name],
    [-70003, c.masked_citizen_id],
    [-70004, c.city],
    [-70005, c.issue_date],
    [-70006, c.endorsed_until],
  ]);
}

async function nodeQr(key, claims = qrClaims(), { withDictionary = true, tamper = false } = {}) {
  const protectedHeaders = new Map([
    [Headers.Algorithm, Algorithms.EdDSA],
    [Headers.KeyID, Buffer.from(key.kid, 'utf8')],
  ]);
  const sign1 = await Sign1.sign(protectedHeaders, new Map(), cbor.encode(claims), key.privateKey);
  const cose = Buffer.from(sign1.encode());
  if (tamper) cose[cose.indexOf(Buffer.from(meta.qr_claims.name))] ^= 0x01;
  const deflated = deflateSync(cose, withDictionary ? { level: 9, dictionary } : { level: 9 });
  return 'JZZ1:' + base45.encode(deflated);
}

// ---- status list, signed by the trusted key ----

async function nodeStatusList(key, revokedIndex) {
  const list = new StatusList(new Array(131072).fill(0), 2);
  list.setStatus(revokedIndex, 1);
  const { header, payload } = createHeaderAndPayload(
    list,
    { sub: meta.status_list_uri, iat: now, exp: now + 86400, ttl: 300 },
    { alg: 'EdDSA', kid: key.kid },
  );
  return new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey);
}

// ---- SD-JWT VC ----

const ed25519Signer = (privateKey) => async (data) =>
  cryptoSign(null, Buffer.from(data), privateKey).toString('base64url');

async function nodeSdJwt(key, { nonce = meta.nonce, aud = meta.aud } = {}) {
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    signer: ed25519Signer(key.privateKey),
    signAlg: 'EdDSA',
    kbSigner: ed25519Signer(holder.privateKey),
    kbSignAlg: 'EdDSA',
  });
  const disclosable = meta.sd_jwt_disclosable;
  const payload = {
    iss: meta.iss,
    iat: now,
    exp: now + 30 * 86400,
    vct: meta.sd_jwt_visible.vct,
    status: { status_list: { idx: meta.status_index, uri: meta.status_list_uri } },
    cnf: { jwk: publicJwk(holder.publicKey) },
    ...disclosable,
  };
  delete payload.cnf.jwk.kid;
  const issued = await sdjwt.issue(payload, { _sd: Object.keys(disclosable) }, { header: { kid: key.kid } });
  return sdjwt.present(
    issued,
    { resident_district: true, resident_since: true },
    { kb: { payload: { iat: now, aud, nonce } } },
  );
}

function tamperDisclosure(presentation, claim, value) {
  const parts = presentation.split('~');
  const i = parts.findIndex((d, n) => n > 0 && n < parts.length - 1 && JSON.parse(Buffer.from(d, 'base64url'))[1] === claim);
  assert.ok(i > 0, claim);
  const [salt, name] = JSON.parse(Buffer.from(parts[i], 'base64url'));
  parts[i] = Buffer.from(JSON.stringify([salt, name, value])).toString('base64url');
  return parts.join('~');
}

// ---- one request to epermit's verifier for everything ----

const trustedJwk = publicJwk(trusted.publicKey, trusted.kid);
const trustedSd = await nodeSdJwt(trusted);
const request = {
  now,
  city: meta.city,
  trusted_jwks: [trustedJwk],
  status_list: await nodeStatusList(trusted, meta.revoked_index),
  status_indices: [meta.status_index, meta.revoked_index, 0],
  kb: { nonce: meta.nonce, aud: meta.aud },
  qr: {
    trusted: await nodeQr(trusted),
    trusted_plain_zlib: await nodeQr(trusted, qrClaims(), { withDictionary: false }),
    trusted_revoked: await nodeQr(trusted, qrClaims({ status_index: meta.revoked_index })),
    trusted_expired: await nodeQr(trusted, qrClaims({ iat: now - 7200, exp: now - 60 })),
    trusted_tampered: await nodeQr(trusted, qrClaims(), { tamper: true }),
    trusted_other_city: await nodeQr(trusted, qrClaims({ city: '440300' })),
    untrusted: await nodeQr(untrusted),
    impostor: await nodeQr(impostor),
    // Our own issuer's QR: its key is not in this trust list.
    epermit_unlisted: fx.text('qr.txt'),
  },
  sd_jwt: {
    trusted: trustedSd,
    trusted_wrong_nonce: await nodeSdJwt(trusted, { nonce: 'replayed' }),
    trusted_wrong_aud: await nodeSdJwt(trusted, { aud: 'https://elsewhere.example' }),
    trusted_tampered_disclosure: tamperDisclosure(trustedSd, 'resident_since', '2001-01-01'),
    untrusted: await nodeSdJwt(untrusted),
    impostor: await nodeSdJwt(impostor),
  },
};
const verdicts = checkWithEpermit(request);

test('epermit verifies the status list token signed with jose (@sd-jwt/jwt-status-list lst)', () => {
  const s = verdicts.status_list;
  assert.equal(s.ok, true, JSON.stringify(s));
  assert.equal(s.uri, meta.status_list_uri);
  assert.equal(s.size, 131072);
  assert.deepEqual(s.entries, { [meta.status_index]: 0, [meta.revoked_index]: 1, 0: 0 });
});

test('QR signed by @auth0/cose with a trusted key: valid in epermit', () => {
  for (const name of ['trusted', 'trusted_plain_zlib']) {
    const v = verdicts.qr[name];
    assert.equal(v.verdict, 'valid', `${name}: ${JSON.stringify(v)}`);
    assert.equal(v.exit_code, 0);
    assert.equal(v.kid, trusted.kid);
    assert.equal(v.permit.number, meta.permit_number);
    assert.equal(v.permit.name, meta.qr_claims.name);
  }
});

test('QR from the trusted key but revoked, expired, tampered or for another city: not valid', () => {
  const q = verdicts.qr;
  assert.equal(q.trusted_revoked.verdict, 'revoked', JSON.stringify(q.trusted_revoked));
  assert.equal(q.trusted_revoked.exit_code, 2);
  assert.equal(q.trusted_expired.verdict, 'expired', JSON.stringify(q.trusted_expired));
  assert.equal(q.trusted_tampered.exit_code, 1, JSON.stringify(q.trusted_tampered));
  assert.equal(q.trusted_tampered.code, 'signature.invalid');
  assert.equal(q.trusted_other_city.exit_code, 1, JSON.stringify(q.trusted_other_city));
  assert.equal(q.trusted_other_city.code, 'qr.wrong_city');
});

test('QR signed with an untrusted key: unknown issuer (5) or forged (1), never valid', () => {
  const q = verdicts.qr;
  assert.equal(q.untrusted.verdict, 'unknown_issuer', JSON.stringify(q.untrusted));
  assert.equal(q.untrusted.exit_code, 5);
  assert.equal(q.impostor.verdict, 'forged_or_malformed', JSON.stringify(q.impostor));
  assert.equal(q.impostor.code, 'signature.invalid');
  assert.equal(q.epermit_unlisted.exit_code, 5, JSON.stringify(q.epermit_unlisted));
});

test('SD-JWT VC issued and presented by @sd-jwt/sd-jwt-vc with a trusted key: valid in epermit', () => {
  const v = verdicts.sd_jwt.trusted;
  assert.equal(v.ok, true, JSON.stringify(v));
  assert.equal(v.key_bound, true);
  assert.equal(v.kid, trusted.kid);
  assert.deepEqual(v.disclosed.sort(), ['resident_district', 'resident_since']);
  assert.deepEqual(v.claims.resident_district, meta.sd_jwt_disclosable.resident_district);
  assert.equal(v.claims.citizen_id, undefined);
});

test('SD-JWT VC with wrong nonce or aud, or a tampered disclosure: rejected', () => {
  const s = verdicts.sd_jwt;
  assert.equal(s.trusted_wrong_nonce.code, 'kb.nonce', JSON.stringify(s.trusted_wrong_nonce));
  assert.equal(s.trusted_wrong_aud.code, 'kb.audience', JSON.stringify(s.trusted_wrong_aud));
  assert.equal(s.trusted_tampered_disclosure.ok, false);
  assert.match(s.trusted_tampered_disclosure.code, /^(sdjwt\.disclosure|kb\.sd_hash)$/);
  for (const name of ['trusted_wrong_nonce', 'trusted_wrong_aud', 'trusted_tampered_disclosure']) {
    assert.equal(s[name].exit_code, 1, name);
  }
});

test('SD-JWT VC signed with an untrusted key: unknown issuer (5) or forged (1)', () => {
  const s = verdicts.sd_jwt;
  assert.equal(s.untrusted.ok, false);
  assert.equal(s.untrusted.code, 'trust.unknown_issuer', JSON.stringify(s.untrusted));
  assert.equal(s.untrusted.exit_code, 5);
  assert.equal(s.impostor.ok, false);
  assert.equal(s.impostor.code, 'signature.invalid', JSON.stringify(s.impostor));
  assert.equal(s.impostor.exit_code, 1);
});

test("epermit's own presentation verifies in epermit when its issuer is listed; tampered it does not", () => {
  const ours = fx.text('sd_jwt_presentation.txt');
  const out = checkWithEpermit({
    trusted_jwks: [meta.issuer_jwk],
    kb: { nonce: meta.nonce, aud: meta.aud },
    sd_jwt: { ours, tampered: tamperDisclosure(ours, 'resident_since', '2001-01-01') },
  });
  assert.equal(out.sd_jwt.ours.ok, true, JSON.stringify(out.sd_jwt.ours));
  assert.equal(out.sd_jwt.tampered.ok, false);
  assert.equal(out.sd_jwt.tampered.exit_code, 1);
});
