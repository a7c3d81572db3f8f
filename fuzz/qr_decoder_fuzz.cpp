// libFuzzer target for the QR decoder: every input is tried as QR text (DecodeQr and
// the untrusted PeekQrClaims), as base45, as a raw COSE_Sign1, as a raw CWT claims map,
// and as a COSE_Sign1 carried through the full transport (zlib + base45 + prefix). Built
// with clang -fsanitize=fuzzer,address,undefined; see fuzz/README.md.
//
// Besides "no crash, leak or UB", it checks properties whose violation is a bug even
// without a sanitizer report (then it traps, so libFuzzer saves the input):
//  - base45 is canonical: a text that decodes re-encodes to itself;
//  - whatever DecodeQr accepts was signed by the fixed key and holds valid claims;
//  - the untrusted peek never "succeeds" where the verified path finds other claims;
//  - the CBOR scan and the reader agree: what CheckCbor passes, the reader walks as one
//    item ending exactly at the end of the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "credential/base45.hpp"
#include "credential/cbor.hpp"
#include "credential/cose.hpp"
#include "credential/qr_payload.hpp"

namespace {

using namespace epermit::credential;  // NOLINT(google-build-using-namespace): a fuzz driver

// A fixed key, so seeds written by one run verify in the next.
const Signer& FuzzSigner() {
  static const std::unique_ptr<Signer> signer = [] {
    const Bytes seed(32, 0x5a);
    return Ed25519FromSeed("310000-fuzz-0001", seed).value();
  }();
  return *signer;
}

const KeyLookup& FuzzKeys() {
  static const KeyLookup keys = [](const std::string& kid) -> epermit::Result<PublicKey> {
    if (kid == FuzzSigner().kid()) return FuzzSigner().public_key();
    return epermit::MakeError(epermit::ErrorKind::kFailedPrecondition, "key.unknown", "Unknown key.", "未知密钥。");
  };
  return keys;
}

PermitClaims SeedClaims() {
  PermitClaims c;
  c.permit_number = "1.2.156.3005.2.JZZ01.310000.000000000183.001.X";
  c.name = "欧阳明华";
  c.masked_citizen_id = "360426********0071";
  c.city = "310000";
  c.issue_date = "2025-03-14";
  c.endorsed_until = "2026-03-13";
  c.status_index = 183;
  c.status_list_uri = "https://310000.epermit.cn/api/v1/status-lists/1";
  c.iat = 1767225600;
  c.exp = 1767312000;
  c.iss = "https://310000.epermit.cn";
  return c;
}

void WriteSeed(const std::filesystem::path& dir, const std::string& name, std::string_view bytes) {
  std::ofstream(dir / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string_view AsText(const Bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Valid inputs for each path, so mutation starts past the signature and the inflate step
// instead of having to discover a signed COSE_Sign1 by chance.
void WriteSeeds(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const Bytes claims = EncodePermitClaims(SeedClaims()).value();
  const Bytes cose = SignCoseSign1(FuzzSigner(), claims).value();
  WriteSeed(dir, "seed-qr", EncodeQr(FuzzSigner(), SeedClaims()).value());
  WriteSeed(dir, "seed-cose", AsText(cose));
  WriteSeed(dir, "seed-claims", AsText(claims));
  WriteSeed(dir, "seed-base45", "%69 VD92EX0");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // EPERMIT_FUZZ_SEED_DIR=corpus ./qr_decoder_fuzz corpus: libFuzzer reads the corpus
  // after this hook, so the seeds written here are its starting points.
  if (const char* dir = std::getenv("EPERMIT_FUZZ_SEED_DIR"); dir != nullptr && *dir != '\0') WriteSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ByteView bytes(data, size);

  auto base45 = Base45Decode(text);
  if (base45.ok() && Base45Encode(*base45) != text) __builtin_trap();

  auto decoded = DecodeQr(text, FuzzKeys());
  auto peeked = PeekQrClaims(text);
  if (decoded.ok()) {
    if (decoded->key.kid != FuzzSigner().kid()) __builtin_trap();
    if (!ValidatePermitClaims(decoded->claims).ok()) __builtin_trap();
    if (!peeked.ok() || !(*peeked == decoded->claims)) __builtin_trap();
  }

  auto verified = VerifyCoseSign1(bytes, FuzzKeys());
  if (verified.ok() && verified->key.kid != FuzzSigner().kid()) __builtin_trap();
  (void)ParseCoseSign1(bytes);
  (void)DecodePermitClaims(bytes);
  if (CheckCbor(bytes).ok()) {
    CborReader reader(bytes);
    auto head = reader.Next();
    if (!head.ok() || !reader.SkipContent(*head).ok() || !reader.AtEnd()) __builtin_trap();
  }

  // The same bytes as a COSE_Sign1 through the whole QR pipeline.
  if (auto qr = QrTextFromCose(bytes); qr.ok()) {
    // The transport adds nothing to trust: DecodeQr may refuse what verifies as COSE (bad
    // claims) but never accept what does not.
    if (DecodeQr(*qr, FuzzKeys()).ok() && !verified.ok()) __builtin_trap();
  }
  return 0;
}
