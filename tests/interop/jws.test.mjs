// The plain JWS parts epermit signs, verified by jose: the IETF Token Status List token
// (also decoded by @sd-jwt/jwt-status-list) and the root-signed national trust list.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { base64url, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

import { flipChar, makeFixtures } from './fixtures.mjs';

const fx = makeFixtures();
const now = new Date(fx.meta.now * 1000);
const issuerKey = await importJWK(fx.meta.issuer_jwk, 'EdDSA');
const rootKey = await importJWK(fx.meta.root_jwk, 'EdDSA');
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

test('jose verifies the status list token (typ statuslist+jwt, EdDSA, kid)', async () => {
  const token = fx.text('status_list.jwt');
  const { payload, protectedHeader } = await jwtVerify(token, issuerKey, {
    algorithms: ['EdDSA'],
    typ: 'statuslist+jwt',
    subject: fx.meta.status_list_uri,
    currentDate: now,
    requiredClaims: ['sub', 'iat', 'exp', 'status_list'],
  });
  assert.equal(protectedHeader.kid, fx.meta.kid);
  assert.equal(payload.status_list.bits, 2);
  assert.ok(payload.ttl > 0);
  assert.ok(payload.exp > payload.iat);
});

test('@sd-jwt/jwt-status-list reads the statuses epermit set', () => {
  const list = getListFromStatusListJWT(fx.text('status_list.jwt'));
  assert.ok(list.statusList.length >= 131072, `size ${list.statusList.length}`);
  assert.equal(list.getStatus(fx.meta.status_index), 0);
  assert.equal(list.getStatus(fx.meta.revoked_index), 1);
  assert.equal(list.getStatus(fx.meta.suspended_index), 2);
  assert.equal(list.getStatus(0), 0);
});

test('a tampered or foreign status list token does not verify in jose', async () => {
  const token = fx.text('status_list.jwt');
  const [h, p, s] = token.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  payload.status_list.bits = 1;
  const altered = [h, base64url.encode(JSON.stringify(payload)), s].join('.');
  await assert.rejects(jwtVerify(altered, issuerKey, { currentDate: now }), /signature/i);
  const badSig = [h, p, flipChar(s, 5, B64URL)].join('.');
  await assert.rejects(jwtVerify(badSig, issuerKey, { currentDate: now }), /signature/i);
  await assert.rejects(jwtVerify(token, rootKey, { currentDate: now }), /signature/i);
  await assert.rejects(jwtVerify(token, issuerKey, { currentDate: now, typ: 'dc+sd-jwt' }), /typ/);
});

test('jose verifies the trust list with the root key, and it lists our issuer key', async () => {
  const token = fx.text('trust_list.jwt');
  assert.equal(decodeProtectedHeader(token).typ, 'epermit-trust-list+jwt');
  const { payload } = await jwtVerify(token, rootKey, {
    algorithms: ['EdDSA'],
    typ: 'epermit-trust-list+jwt',
    currentDate: now,
  });
  assert.ok(payload.next_update > payload.issued_at);
  const listed = payload.keys.find((k) => k.kid === fx.meta.kid);
  assert.ok(listed, 'issuer key listed');
  assert.equal(listed.alg, 'EdDSA');
  assert.equal(listed.city, fx.meta.city);
  assert.equal(listed.x, fx.meta.issuer_jwk.x);
  assert.deepEqual(Buffer.from(listed.x, 'base64url'), fx.bytes('issuer.pub'));
  await assert.rejects(jwtVerify(token, issuerKey, { currentDate: now }), /signature/i);
});
