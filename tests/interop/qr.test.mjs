// The JZZ1 QR payload as third parties read it: base45 (npm base45), zlib with the preset
// dictionary (Node's zlib), COSE_Sign1 / EdDSA (@auth0/cose), CWT claims (cbor-x), and the
// PNG through zbarimg (Debian zbar-tools).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';

import { Algorithms, Headers, Sign1 } from '@auth0/cose';
import base45 from 'base45';
import { Decoder } from 'cbor-x';

import { flipChar, keyFromJwk, makeFixtures } from './fixtures.mjs';

const fx = makeFixtures();
const qr = fx.text('qr.txt');
const dictionary = fx.bytes('qr_dictionary.bin');
const issuerKey = keyFromJwk(fx.meta.issuer_jwk);
const cbor = new Decoder({ mapsAsObjects: false, useRecords: false });

function coseOf(text) {
  assert.ok(text.startsWith('JZZ1:'), 'prefix');
  const deflated = base45.decode(text.slice('JZZ1:'.length));
  return inflateSync(deflated, { dictionary });
}

test('QR text: prefix, base45 alphabet, within the 400-character budget', () => {
  assert.match(qr, /^JZZ1:[0-9A-Z $%*+\-./:]+$/);
  assert.ok(qr.length <= 400, `length ${qr.length}`);
  // base45 round trip through the npm implementation gives back the same text.
  assert.equal('JZZ1:' + base45.encode(base45.decode(qr.slice(5))), qr);
});

test('zlib stream names the preset dictionary and needs it', () => {
  const deflated = base45.decode(qr.slice(5));
  assert.equal(deflated[0] & 0x0f, 8, 'CM = deflate');
  assert.equal(((deflated[0] << 8) | deflated[1]) % 31, 0, 'FCHECK');
  assert.ok(deflated[1] & 0x20, 'FDICT set');
  assert.equal(deflated.readUInt32BE(2), 0x1bd8431b, 'DICTID = Adler-32 of QrZlibDictionary()');
  assert.throws(() => inflateSync(deflated), /dictionary/i);
  const wrongDictionary = Buffer.from(dictionary);
  wrongDictionary[0] ^= 0xff;
  assert.throws(() => inflateSync(deflated, { dictionary: wrongDictionary }));
  assert.ok(inflateSync(deflated, { dictionary }).length > 0);
});

test('@auth0/cose verifies the COSE_Sign1 with the issuer key (EdDSA, kid)', async () => {
  const sign1 = Sign1.decode(coseOf(qr));
  assert.equal(sign1.alg, Algorithms.EdDSA);
  assert.equal(sign1.protectedHeaders.get(Headers.Algorithm), -8, 'alg is protected');
  assert.equal(Buffer.from(sign1.kid).toString('utf8'), fx.meta.kid);
  await sign1.verify(issuerKey, { algorithms: [Algorithms.EdDSA] });
});

test('cbor-x reads the CWT claims the table in qr_payload.hpp documents', async () => {
  const sign1 = Sign1.decode(coseOf(qr));
  const claims = cbor.decode(sign1.payload);
  assert.ok(claims instanceof Map);
  const c = fx.meta.qr_claims;
  assert.equal(claims.get(1), c.iss);
  assert.equal(claims.get(4), c.exp);
  assert.equal(claims.get(6), c.iat);
  assert.equal(claims.get(-70001), c.permit_number);
  assert.equal(claims.get(-70002), c.name);
  assert.equal(claims.get(-70003), c.masked_citizen_id);
  assert.equal(claims.get(-70004), c.city);
  assert.equal(claims.get(-70005), c.issue_date);
  assert.equal(claims.get(-70006), c.endorsed_until);
  const statusList = claims.get(65535).get('status_list');
  assert.equal(statusList.get('idx'), fx.meta.status_index);
  assert.equal(statusList.get('uri'), fx.meta.status_list_uri);
  assert.equal(claims.size, 10, [...claims.keys()].join(','));
  assert.ok(c.exp > fx.meta.now && c.iat <= fx.meta.now);
});

test('one flipped byte in the signature or the claims: COSE verify fails', async () => {
  const cose = coseOf(qr);
  const sign1 = Sign1.decode(cose);
  const badSig = Buffer.from(sign1.signature);
  badSig[10] ^= 0x01;
  const forgedSig = new Sign1(sign1.encodedProtectedHeaders, sign1.unprotectedHeaders, sign1.payload, badSig);
  await assert.rejects(forgedSig.verify(issuerKey), /signature/i);

  const badPayload = Buffer.from(sign1.payload);
  const at = badPayload.indexOf(Buffer.from(fx.meta.qr_claims.masked_citizen_id));
  assert.ok(at > 0);
  badPayload[at] ^= 0x01;
  const forgedPayload = new Sign1(sign1.encodedProtectedHeaders, sign1.unprotectedHeaders, badPayload, sign1.signature);
  await assert.rejects(forgedPayload.verify(issuerKey), /signature/i);
});

test('a flipped character in the QR text never verifies', async () => {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  let rejected = 0;
  for (const i of [5, 20, Math.floor(qr.length / 2), qr.length - 3]) {
    const bad = flipChar(qr, i, alphabet);
    try {
      await Sign1.decode(coseOf(bad)).verify(issuerKey);
    } catch {
      rejected += 1;
    }
  }
  assert.equal(rejected, 4);
});

test('another key does not verify it', async () => {
  const sign1 = Sign1.decode(coseOf(qr));
  await assert.rejects(sign1.verify(keyFromJwk(fx.meta.root_jwk)), /signature/i);
});

test('zbarimg reads the PNG back to the same text', () => {
  const out = execFileSync('zbarimg', ['--quiet', '--raw', fx.path('qr.png')], {
    stdio: ['ignore', 'pipe', 'ignore'], // zbar complains about D-Bus on stderr in containers
  }).toString('utf8');
  assert.equal(out.replace(/\n$/, ''), qr);
});
