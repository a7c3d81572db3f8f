// libFuzzer target for the SD-JWT VC parser and verifier (issue 3, "Bad input"): any bytes
// must end in a clean Result, never a crash, leak or undefined behaviour.
//
// Random bytes almost never get past the issuer signature, so the first input byte picks a
// mode that wraps the rest around validly signed material and reaches the deeper code:
//   0  the bytes as a presentation (and as an SD-JWT to Present)
//   1  valid issuer JWT + "~" + bytes                 (disclosure list and KB-JWT text)
//   2  valid issuer JWT + "~" + b64(bytes) + "~"      (one Disclosure's JSON)
//   3  valid SD-JWT with disclosures + bytes           (KB-JWT text)
//   4  valid SD-JWT + b64(bytes) + ".e30.AA"           (KB-JWT header JSON)
//   5  bytes split at NUL into payload + Disclosures; "$0".."$9" in the payload become the
//      digests of those Disclosures, the payload is signed by the trusted issuer
//      (digest resolution, nesting, duplicates, validity claims)
// With EPERMIT_FUZZ_SEED_DIR=DIR set, LLVMFuzzerInitialize writes one valid input per mode
// into DIR (pass the same DIR as the corpus), so mutation starts from real credentials.
// Build (from the repository root):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
//     -Isrc fuzz/sd_jwt_fuzz.cpp src/credential/sd_jwt.cpp src/credential/jws.cpp \
//     src/credential/signer.cpp src/credential/sm2_signer.cpp -lsodium -lcrypto -o sd_jwt_fuzz
//   ./sd_jwt_fuzz -runs=200000 -max_len=70000
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "credential/sd_jwt.hpp"

namespace {

using epermit::Result;
using namespace epermit::credential;  // NOLINT(google-build-using-namespace): a test driver

constexpr int64_t kNow = 1767225600;  // fixed, so a crash input reproduces

struct Fixture {
  std::unique_ptr<Signer> issuer;
  std::unique_ptr<Signer> holder;
  KeyLookup keys;
  KbExpectations kb{"fuzz-nonce", "https://verifier.example.cn", 300};
  std::string issuer_jwt;        // the JWS part of a valid SD-JWT
  std::string presented_sd_jwt;  // a valid presentation up to and including its last '~'
  std::string presented;         // the same presentation with its KB-JWT
};

std::unique_ptr<Signer> FixedKey(const char* kid, uint8_t fill) {
  const Bytes seed(32, fill);
  return std::move(Ed25519FromSeed(kid, seed).value());
}

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    f->issuer = FixedKey("fuzz-issuer", 0x11);
    f->holder = FixedKey("fuzz-holder", 0x22);
    const PublicKey trusted = f->issuer->public_key();
    f->keys = [trusted](const std::string& kid) -> Result<PublicKey> {
      if (kid == trusted.kid) return trusted;
      return epermit::MakeError(epermit::ErrorKind::kFailedPrecondition, "key.unknown", "unknown", "未知");
    };
    const nlohmann::json visible = {{"iss", "https://310000.epermit.example.cn"},
                                    {"iat", kNow - 60},
                                    {"exp", kNow + 86400},
                                    {"vct", "urn:epermit:residence-permit:1"},
                                    {"cnf", {{"jwk", Ed25519Jwk(f->holder->public_key())}}}};
    const nlohmann::json disclosable = {
        {"resident_district", "310101"}, {"resident_since", "2021-03-15"}, {"address", {{"street", "x"}}}};
    const std::string issued = IssueSdJwt(*f->issuer, visible, disclosable, 2).value();
    f->issuer_jwt = issued.substr(0, issued.find('~'));
    const std::string presented =
        Present(issued, {"resident_district", "resident_since"}, *f->holder, f->kb.nonce, f->kb.audience, kNow).value();
    f->presented_sd_jwt = presented.substr(0, presented.rfind('~') + 1);
    f->presented = presented;
    return f;
  }();
  return *fixture;
}

std::string Digest(std::string_view text) {
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return Base64UrlEncode(ByteView(digest, sizeof digest));
}

// Mode 5: "<payload>\0<disclosure json>\0<disclosure json>..." → a signed SD-JWT whose
// payload may reference the disclosures by digest.
std::string SignedWithDisclosures(const Fixture& f, std::string_view text) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (pieces.size() < 12) {
    const size_t nul = text.find('\0', start);
    pieces.push_back(text.substr(start, nul == std::string_view::npos ? std::string_view::npos : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  std::vector<std::string> encoded;
  for (size_t i = 1; i < pieces.size(); ++i) encoded.push_back(Base64UrlEncode(pieces[i]));
  std::string payload(pieces[0]);
  for (size_t i = 0; i < encoded.size() && i < 10; ++i) {
    const std::string placeholder = "$" + std::to_string(i);
    const std::string digest = Digest(encoded[i]);
    for (size_t at = payload.find(placeholder); at != std::string::npos; at = payload.find(placeholder, at)) {
      payload.replace(at, placeholder.size(), digest);
      at += digest.size();
    }
  }
  auto jwt = SignJws(*f.issuer, kSdJwtVcTyp, payload);
  std::string out = jwt.ok() ? *jwt : std::string();
  out += '~';
  for (const std::string& e : encoded) out += e + "~";
  return out;
}

void Check(const Fixture& f, const std::string& presentation) {
  // Both policies: key binding optional, and required with this verifier's nonce/audience.
  auto plain = VerifySdJwt(presentation, f.keys, nullptr, kNow);
  auto bound = VerifySdJwt(presentation, f.keys, &f.kb, kNow);
  // Every refusal carries a stable code; a verified result is a JSON object.
  if (!plain.ok() && plain.error().code.empty()) __builtin_trap();
  if (!bound.ok() && bound.error().code.empty()) __builtin_trap();
  if (plain.ok() && !plain->claims.is_object()) __builtin_trap();
  if (bound.ok() && !bound->key_bound) __builtin_trap();
}

void WriteSeed(const std::filesystem::path& dir, const std::string& name, char mode, std::string_view rest) {
  std::ofstream out(dir / name, std::ios::binary);
  out.put(mode);
  out.write(rest.data(), static_cast<std::streamsize>(rest.size()));
}

// One valid input per mode (the first byte picks the mode, see the top of this file).
void WriteSeeds(const std::filesystem::path& dir) {
  const Fixture& f = GetFixture();
  std::filesystem::create_directories(dir);
  const std::string disclosures = f.presented.substr(f.issuer_jwt.size() + 1);  // "<D1>~<D2>~<KB-JWT>"
  const std::string kb_jwt = f.presented.substr(f.presented_sd_jwt.size());
  WriteSeed(dir, "seed-0-presentation", 0, f.presented);
  WriteSeed(dir, "seed-1-disclosures", 1, disclosures);
  WriteSeed(dir, "seed-2-disclosure", 2, R"(["c2FsdHNhbHRzYWx0","resident_district","310101"])");
  WriteSeed(dir, "seed-3-kb-jwt", 3, kb_jwt);
  WriteSeed(dir, "seed-4-kb-header", 4, R"({"alg":"EdDSA","typ":"kb+jwt"})");
  const nlohmann::json visible = {{"iss", "https://310000.epermit.example.cn"},
                                  {"iat", kNow - 60},
                                  {"exp", kNow + 86400},
                                  {"vct", "urn:epermit:residence-permit:1"},
                                  {"_sd_alg", "sha-256"},
                                  {"_sd", {"$0", "$1"}},
                                  {"address", {{"_sd", {"$2"}}}}};
  std::string mode5 = visible.dump();
  for (const char* d : {R"(["c2FsdDA","resident_district","310101"])", R"(["c2FsdDE","resident_since","2021-03-15"])",
                        R"(["c2FsdDI","street","x"])"}) {
    mode5 += '\0';
    mode5 += d;
  }
  WriteSeed(dir, "seed-5-signed", 5, mode5);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // EPERMIT_FUZZ_SEED_DIR=corpus ./sd_jwt_fuzz corpus: libFuzzer reads the corpus after
  // this hook, so the seeds written here are its starting points.
  if (const char* dir = std::getenv("EPERMIT_FUZZ_SEED_DIR"); dir != nullptr && *dir != '\0') WriteSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = GetFixture();
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 6) {
    case 0: {
      Check(f, std::string(rest));
      auto presented = Present(rest, {"resident_district", "a"}, *f.holder, "n", "a", kNow);
      if (presented.ok()) Check(f, *presented);
      break;
    }
    case 1:
      Check(f, f.issuer_jwt + "~" + std::string(rest));
      break;
    case 2:
      Check(f, f.issuer_jwt + "~" + Base64UrlEncode(rest) + "~");
      break;
    case 3:
      Check(f, f.presented_sd_jwt + std::string(rest));
      break;
    case 4:
      Check(f, f.presented_sd_jwt + Base64UrlEncode(rest) + ".e30.AA");
      break;
    default:
      Check(f, SignedWithDisclosures(f, rest));
      break;
  }
  return 0;
}
