// Credential benchmarks of issue 3: each figure against a baseline measured in the same run,
// in the same process, on the same core. The result is the ratio; nothing is asserted.
//
//   BM_BareEd25519Verify   libsodium crypto_sign_verify_detached of the exact bytes a QR's
//                          signature covers (its COSE Sig_structure), with the issuer key.
//   BM_VerifyQr            credential::VerifyQr of the same QR text: prefix, base45, inflate
//                          (preset dictionary), CBOR, COSE_Sign1, the key from a verified
//                          trust list (looked up at the QR's iat), Ed25519, claims, city and
//                          permit-number checks, the status lookup in a cached, already
//                          verified status list, expiry and endorsement. Verdict must be valid.
//   BM_BareEd25519Sign     libsodium crypto_sign_detached of the same Sig_structure bytes
//                          (one signature; kept for the old, one-signature figure).
//   BM_BareEd25519SignIssuanceBytes   libsodium crypto_sign_detached of the bytes an issuance
//                          signs: the QR's Sig_structure and the SD-JWT's JWS signing input
//                          (two signatures per iteration). **The issuance baseline**: bare
//                          Ed25519 signing of the same bytes, as the verify ratio is.
//   BM_CredentialIssuance  one permit's credentials as CredentialService makes them:
//                          EncodeQr (claims → CBOR, COSE_Sign1, zlib, base45) + IssueSdJwt
//                          (15 disclosable claims, 2 decoys, holder key in cnf). Two
//                          signatures per iteration, as in BM_BareEd25519SignIssuanceBytes.
//   BM_EncodeQr, BM_IssueSdJwt   the two halves alone (diagnostic).
//
// Defaults: 5 repetitions of at least 0.5 s, randomly interleaved; ratios use the median
// items/s. Any --benchmark_* flag overrides them.
#include <benchmark/benchmark.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "common/date.hpp"
#include "credential/cose.hpp"
#include "credential/jws.hpp"
#include "credential/qr_payload.hpp"
#include "credential/sd_jwt.hpp"
#include "credential/signer.hpp"
#include "credential/status_list.hpp"
#include "credential/trust_list.hpp"
#include "credential/verifier.hpp"
#include "domain/permit_number.hpp"

namespace {

using namespace epermit::credential;  // NOLINT(google-build-using-namespace): a benchmark driver

constexpr int64_t kNow = 1795000000;  // 2026-11-18, fixed so the fixture never expires mid-run
const epermit::Date kToday = epermit::MakeDate(2026, 11, 18);
constexpr char kListUri[] = "https://310000.epermit.cn/api/v1/status-lists/0";
constexpr char kKid[] = "310000-20261101-bench";

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "credential_bench: " << what << "\n";
  std::exit(2);
}

template <typename T>
T Must(epermit::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().code + " " + r.error().message_en);
  return std::move(r).value();
}

// Everything set up once, outside timing: the issuer key, a trust list holding it, a
// verified status list of 131,072 entries, a QR and the bytes its signature covers.
struct Fixture {
  Bytes seed = Bytes(32, 0x42);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  std::unique_ptr<Signer> issuer;
  std::unique_ptr<Signer> holder;
  TrustList trust;
  VerifiedStatusList status;
  PermitClaims claims;
  std::string qr;
  Bytes sig_structure;  // ["Signature1", protected, h'', payload]
  Bytes signature;
  nlohmann::json sd_visible;
  nlohmann::json sd_disclosable;
  std::string sd_signing_input;  // the SD-JWT's JWS header.payload, as IssueSdJwt signs it

  Fixture() {
    if (sodium_init() < 0) Die("sodium_init failed");
    crypto_sign_seed_keypair(pk, sk, seed.data());
    issuer = Must(Ed25519FromSeed(kKid, seed), "issuer key");
    holder = Must(Ed25519FromSeed("holder", Bytes(32, 0x24)), "holder key");
    trust.version = 1;
    trust.issued_at = kNow - 100;
    trust.next_update = kNow + 86400;
    trust.keys.push_back({kKid, SigAlg::kEdDSA, "310000", kNow - 86400 * 30, std::nullopt, issuer->public_key()});
    // Other cities' keys, so the key lookup is not a one-element search.
    for (const char* city : {"110000", "120000", "320100", "330100", "440100", "440300", "510100", "610100"}) {
      auto other = GenerateEd25519(std::string(city) + "-20261101-bench");
      trust.keys.push_back({other->kid(), SigAlg::kEdDSA, city, kNow - 86400 * 30, std::nullopt, other->public_key()});
    }
    StatusList list;
    for (size_t i = 0; i < 2000; i += 7) list.Set(i, kStatusSuspended);  // a few non-valid entries
    const std::string token = Must(list.ToToken(*issuer, kListUri, kNow - 60, kNow + 3600, 300), "status list");
    status = Must(VerifyStatusListToken(token, AsKeyLookup(trust, kNow), kNow, 86400), "status list verify");

    claims.permit_number = epermit::domain::FormatPermitNumber("310000", 183, 1);
    claims.name = "欧阳明华";
    claims.masked_citizen_id = "360426********0071";
    claims.city = "310000";
    claims.issue_date = "2026-11-15";
    claims.endorsed_until = "2027-11-14";
    claims.status_index = 183;
    claims.status_list_uri = kListUri;
    claims.iat = kNow - 10;
    claims.exp = kNow + 86400;
    claims.iss = "https://310000.epermit.cn";
    qr = Must(EncodeQr(*issuer, claims), "EncodeQr");

    const Bytes cose = Must(CoseFromQrText(qr), "CoseFromQrText");
    const UnverifiedCoseSign1 parsed = Must(ParseCoseSign1(cose), "ParseCoseSign1");
    CborWriter tbs;
    tbs.Array(4).Text("Signature1").ByteString(parsed.protected_header).ByteString({}).ByteString(parsed.payload);
    sig_structure = tbs.Take();
    signature = parsed.signature;
    if (crypto_sign_verify_detached(signature.data(), sig_structure.data(), sig_structure.size(), pk) != 0) {
      Die("the QR's signature does not verify over the rebuilt Sig_structure");
    }

    // The same claims CredentialService::PermitSdJwt issues.
    sd_visible = {{"iss", "https://310000.epermit.cn"},
                  {"iat", kNow},
                  {"exp", kNow + 86400 * 360},
                  {"vct", "urn:epermit:residence-permit:1"},
                  {"status", {{"status_list", {{"idx", 183}, {"uri", kListUri}}}}},
                  {"cnf", {{"jwk", Ed25519Jwk(holder->public_key())}}}};
    sd_disclosable = {{"permit_number", claims.permit_number},
                      {"name", claims.name},
                      {"sex", "female"},
                      {"ethnicity", "汉族"},
                      {"birth_date", "1990-03-07"},
                      {"citizen_id", "360426199003070071"},
                      {"photo_ref", "photo-3f2a9c"},
                      {"hukou_address", "江西省九江市德安县蒲亭镇丰林街 12 号"},
                      {"residence_address", "上海市黄浦区南京东路 100 弄 3 号 502 室"},
                      {"resident_district", {{"code", "310101"}, {"name", "上海市黄浦区"}}},
                      {"resident_since", "2024-03-15"},
                      {"issuing_authority", "上海市公安局黄浦分局"},
                      {"issue_date", claims.issue_date},
                      {"endorsed_until", claims.endorsed_until},
                      {"city", "310000"}};
    // Salts are random, so each issuance signs other bytes, but always as many of them:
    // the signing input of one issuance stands for all of them.
    const std::string sd = Must(IssueSdJwt(*issuer, sd_visible, sd_disclosable, 2), "IssueSdJwt");
    const std::string jwt = sd.substr(0, sd.find('~'));
    sd_signing_input = jwt.substr(0, jwt.rfind('.'));
    const Bytes jws_signature = Must(Base64UrlDecode(jwt.substr(jwt.rfind('.') + 1)), "JWS signature");
    if (jws_signature.size() != crypto_sign_BYTES ||
        crypto_sign_verify_detached(jws_signature.data(),
                                    reinterpret_cast<const unsigned char*>(sd_signing_input.data()),
                                    sd_signing_input.size(), pk) != 0) {
      Die("the SD-JWT's signature does not verify over its signing input");
    }
  }

  VerifierContext Context() const {
    return VerifierContext{&trust, [this](const std::string& uri) { return uri == status.uri ? &status : nullptr; },
                           kNow, kToday};
  }
};

const Fixture& F() {
  static const Fixture* f = new Fixture;
  return *f;
}

void BM_BareEd25519Verify(benchmark::State& state) {
  const Fixture& f = F();
  for (auto _ : state) {
    const int rc =
        crypto_sign_verify_detached(f.signature.data(), f.sig_structure.data(), f.sig_structure.size(), f.pk);
    benchmark::DoNotOptimize(rc);
    if (rc != 0) state.SkipWithError("signature did not verify");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BareEd25519Verify);

void BM_VerifyQr(benchmark::State& state) {
  const Fixture& f = F();
  const VerifierContext ctx = f.Context();
  for (auto _ : state) {
    Verification v = VerifyQr(f.qr, ctx);
    if (v.verdict != Verdict::kValid) state.SkipWithError(("verdict " + v.code).c_str());
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyQr);

void BM_BareEd25519Sign(benchmark::State& state) {
  const Fixture& f = F();
  unsigned char sig[crypto_sign_BYTES];
  for (auto _ : state) {
    crypto_sign_detached(sig, nullptr, f.sig_structure.data(), f.sig_structure.size(), f.sk);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BareEd25519Sign);

void BM_BareEd25519SignIssuanceBytes(benchmark::State& state) {
  const Fixture& f = F();
  const auto* jws_input = reinterpret_cast<const unsigned char*>(f.sd_signing_input.data());
  unsigned char qr_sig[crypto_sign_BYTES];
  unsigned char jws_sig[crypto_sign_BYTES];
  for (auto _ : state) {
    crypto_sign_detached(qr_sig, nullptr, f.sig_structure.data(), f.sig_structure.size(), f.sk);
    crypto_sign_detached(jws_sig, nullptr, jws_input, f.sd_signing_input.size(), f.sk);
    benchmark::DoNotOptimize(qr_sig);
    benchmark::DoNotOptimize(jws_sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BareEd25519SignIssuanceBytes);

void BM_CredentialIssuance(benchmark::State& state) {
  const Fixture& f = F();
  size_t bytes = 0;
  for (auto _ : state) {
    auto qr = EncodeQr(*f.issuer, f.claims);
    auto sd = IssueSdJwt(*f.issuer, f.sd_visible, f.sd_disclosable, 2);
    if (!qr.ok() || !sd.ok()) state.SkipWithError("issuance failed");
    bytes = qr->size() + sd->size();
    benchmark::DoNotOptimize(qr);
    benchmark::DoNotOptimize(sd);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_CredentialIssuance);

void BM_EncodeQr(benchmark::State& state) {
  const Fixture& f = F();
  for (auto _ : state) {
    auto qr = EncodeQr(*f.issuer, f.claims);
    // Ed25519 and the CBOR are deterministic: every QR must be the fixture's, byte for byte.
    if (!qr.ok() || *qr != f.qr) state.SkipWithError("EncodeQr failed or gave other bytes");
    benchmark::DoNotOptimize(qr);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeQr);

void BM_IssueSdJwt(benchmark::State& state) {
  const Fixture& f = F();
  for (auto _ : state) {
    auto sd = IssueSdJwt(*f.issuer, f.sd_visible, f.sd_disclosable, 2);
    if (!sd.ok()) state.SkipWithError("IssueSdJwt failed");
    benchmark::DoNotOptimize(sd);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IssueSdJwt);

}  // namespace

int main(int argc, char** argv) {
  if (!epermit::bench::InitializeWithDefaults(argc, argv, "0.5")) return 1;

  const Fixture& f = F();
  std::printf(
      "QR text %zu chars, signed bytes (Sig_structure) %zu, SD-JWT signing input %zu, status list %zu entries\n",
      f.qr.size(), f.sig_structure.size(), f.sd_signing_input.size(), f.status.size());
  epermit::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  int rc = 0;
  const double bare_verify = reporter.Median("BM_BareEd25519Verify");
  const double verify = reporter.Median("BM_VerifyQr");
  const double bare_sign = reporter.Median("BM_BareEd25519Sign");
  const double bare_sign_both = reporter.Median("BM_BareEd25519SignIssuanceBytes");
  const double issue = reporter.Median("BM_CredentialIssuance");
  if (bare_verify > 0 && verify > 0) {
    std::printf("verify ratio: VerifyQr %.0f/s vs bare Ed25519 verify %.0f/s = %.2f (target >= 0.85)\n", verify,
                bare_verify, verify / bare_verify);
  } else {
    std::printf("verify ratio: not computed (VerifyQr %.0f/s, bare %.0f/s)\n", verify, bare_verify);
    rc = 1;
  }
  if (bare_sign_both > 0 && issue > 0) {
    std::printf(
        "credential issuance ratio: QR + SD-JWT VC %.0f/s vs bare Ed25519 signing of the same bytes (2 signatures) "
        "%.0f/s = %.2f (target >= 0.4)\n",
        issue, bare_sign_both, issue / bare_sign_both);
  } else {
    std::printf("credential issuance ratio: not computed (issuance %.0f/s, bare %.0f/s)\n", issue, bare_sign_both);
    rc = 1;
  }
  if (bare_sign > 0 && issue > 0) {
    // The figure reported before the baseline signed the same bytes, for comparison only.
    std::printf("  (old figure) vs one bare Ed25519 sign of the Sig_structure %.0f/s = %.2f (ceiling 0.5)\n", bare_sign,
                issue / bare_sign);
  }
  const double qr = reporter.Median("BM_EncodeQr");
  const double sd = reporter.Median("BM_IssueSdJwt");
  if (qr > 0 && sd > 0 && bare_sign > 0) {
    std::printf("  (diagnostic) EncodeQr %.0f/s = %.2f of a bare sign, IssueSdJwt %.0f/s = %.2f\n", qr, qr / bare_sign,
                sd, sd / bare_sign);
  }
  return rc;
}
