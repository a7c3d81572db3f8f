"""Opens the personal fields a node seals at rest (src/store/field_cipher.hpp), for tests that
read a node's database directly. libsodium through ctypes: the same library the node uses,
not a re-implementation.

Sealed value: 0x01, key-id length, key id, 24-byte nonce, XChaCha20-Poly1305 ciphertext of the
fields (each a 4-byte little-endian length and its bytes), associated data
"epermit-sealed/1|<table>|<key id>"; the sealing key is crypto_kdf subkey 1 of the data key,
context "epermitF".
"""
import base64
import ctypes
import ctypes.util
import json

_sodium = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
if _sodium.sodium_init() < 0:
    raise RuntimeError("libsodium failed to initialise")


def load_keys(path):
    """{key id (bytes): 32-byte data key} from a data-key file."""
    with open(path) as f:
        doc = json.load(f)
    return {k["id"].encode(): base64.b64decode(k["key"]) for k in doc["keys"]}


def _sealing_key(root):
    out = ctypes.create_string_buffer(32)
    rc = _sodium.crypto_kdf_derive_from_key(out, ctypes.c_size_t(32), ctypes.c_uint64(1), b"epermitF", root)
    if rc != 0:
        raise RuntimeError("crypto_kdf_derive_from_key failed")
    return out.raw


def open_sealed(keys, table, blob):
    """The fields sealed in `blob` for `table`, as bytes; raises ValueError when it does not open."""
    blob = bytes(blob)
    if len(blob) < 2 or blob[0] != 1:
        raise ValueError("not a sealed value")
    id_len = blob[1]
    key_id = blob[2:2 + id_len]
    nonce = blob[2 + id_len:2 + id_len + 24]
    body = blob[2 + id_len + 24:]
    if key_id not in keys or len(body) < 16:
        raise ValueError("unknown key or truncated value")
    ad = b"epermit-sealed/1|" + table.encode() + b"|" + key_id
    plain = ctypes.create_string_buffer(len(body) - 16)
    plain_len = ctypes.c_ulonglong(0)
    rc = _sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        plain, ctypes.byref(plain_len), None, body, ctypes.c_ulonglong(len(body)), ad, ctypes.c_ulonglong(len(ad)),
        nonce, _sealing_key(keys[key_id]))
    if rc != 0:
        raise ValueError("sealed value does not authenticate")
    data = plain.raw[:plain_len.value]
    fields, at = [], 0
    while at < len(data):
        n = int.from_bytes(data[at:at + 4], "little")
        fields.append(data[at + 4:at + 4 + n])
        at += 4 + n
    return fields
