// Shared by the *.test.mjs files: runs the C++ fixture tool (its path comes from run.sh
// in EPERMIT_INTEROP_FIXTURES) and turns the public keys it writes into Node KeyObjects.
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tool = process.env.EPERMIT_INTEROP_FIXTURES;

function requireTool() {
  if (!tool) throw new Error('EPERMIT_INTEROP_FIXTURES is not set: run tests/interop/run.sh BINARY (CTest does)');
  return tool;
}

// Generates fresh fixtures (run-time keys) in a temporary directory; removed at exit.
export function makeFixtures() {
  const dir = mkdtempSync(join(tmpdir(), 'epermit-interop-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  execFileSync(requireTool(), ['make', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const meta = JSON.parse(readFileSync(join(dir, 'fixtures.json'), 'utf8'));
  const text = (name) => readFileSync(join(dir, name), 'utf8');
  return {
    dir,
    meta,
    path: (name) => join(dir, name),
    text,
    bytes: (name) => readFileSync(join(dir, name)),
  };
}

// Asks epermit's own verifier (interop_fixtures check) about credentials made here.
export function checkWithEpermit(request) {
  const dir = mkdtempSync(join(tmpdir(), 'epermit-interop-check-'));
  try {
    const file = join(dir, 'request.json');
    writeFileSync(file, JSON.stringify(request));
    const out = execFileSync(requireTool(), ['check', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(out.toString('utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const keyFromJwk = (jwk) => createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });

// The JWK of an Ed25519 public key with a kid, as epermit's PublicKeyFromJwk reads it.
export function publicJwk(keyObject, kid) {
  const { kty, crv, x } = keyObject.export({ format: 'jwk' });
  return { kty, crv, x, kid };
}

// Returns a copy of `s` with the character at `i` replaced by another of the same alphabet.
export function flipChar(s, i, alphabet) {
  const c = s[i];
  const next = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length];
  return s.slice(0, i) + next + s.slice(i + 1);
}
