// Completes package-lock.json after `npm install` so that `npm ci` accepts it here.
//
// cbor-x -> cbor-extract (both optional native speed-ups) lists six per-platform packages,
// @cbor-extract/cbor-extract-<os>-<cpu>, that the npm registry this project reaches does
// not serve (404). `npm install` then leaves them out of the lock, and `npm ci` refuses the
// lock as out of sync. Listing them as optional entries lets `npm ci` skip them, as it
// skips any optional package it cannot fetch; cbor-x then uses its pure-JavaScript decoder.
// Usage: node fix-lock.mjs   (after every `npm install` in tests/interop)
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('./package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const extract = lock.packages['node_modules/cbor-extract'];
for (const [name, version] of Object.entries(extract?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [os, cpu] = name.replace('@cbor-extract/cbor-extract-', '').split('-');
  lock.packages[key] = { version, cpu: [cpu], license: 'MIT', optional: true, os: [os] };
}
const [root, ...rest] = Object.entries(lock.packages);
lock.packages = Object.fromEntries([root, ...rest.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
