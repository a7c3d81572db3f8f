// Fixtures for the independent-verifier tests (tests/interop/*.test.mjs): what epermit
// issues, for third-party Node libraries to verify, and the verdicts of epermit's own
// verifier on what those libraries produce.
//
//   interop_fixtures make DIR    generates run-time keys (nothing is committed) and writes
//                                the credentials and public material listed in Make().
//   interop_fixtures check FILE  reads a request written by the Node side (the public JWKs
//                                to trust, its status list token, QR texts and SD-JWT
//                                presentations), puts those keys in a root-signed trust list,
//                                and prints each credential's verdict as JSON on stdout.
//
// Only the library's public API is used: no crypto, CBOR, zlib or base45 of our own here.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "credential/key_store.hpp"
#include "credential/qr_image.hpp"
#include "credential/qr_payload.hpp"
#include "credential/sd_jwt.hpp"
#include "credential/signer.hpp"
#include "credential/status_list.hpp"
#include "credential/trust_list.hpp"
#include "credential/verifier.hpp"
#include "domain/permit_number.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
namespace cred = epermit::credential;

namespace {

constexpr char kCity[] = "310000";
constexpr char kIss[] = "https://310000.epermit.example";
constexpr char kStatusListUri[] = "https://310000.epermit.example/api/v1/status-lists/0";
constexpr uint64_t kStatusIndex = 4711;  // VALID in the list we sign
constexpr uint64_t kRevokedIndex = 4712;
constexpr uint64_t kSuspendedIndex = 4713;
constexpr char kNonce[] = "n-0S6_WzA2Mj";
constexpr char kAudience[] = "https://school.example/verifier";
constexpr int64_t kDay = 86400;

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "interop_fixtures: " << what << "\n";
  std::exit(2);
}

template <typename T>
T Must(epermit::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().code + ": " + r.error().message_en);
  return std::move(r).value();
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Today's civil date in China Standard Time (UTC+8), as epermit's Clock::Today computes it.
epermit::Date TodayInChina(int64_t now) {
  return std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds{std::chrono::seconds{now + 8 * 3600}});
}

void WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) Die("cannot write " + path.string());
}

void WriteFile(const fs::path& path, cred::ByteView bytes) {
  WriteFile(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

json JwkWithKid(const cred::PublicKey& key) {
  json jwk = cred::Ed25519Jwk(key);
  jwk["kid"] = key.kid;
  jwk["alg"] = "EdDSA";
  return jwk;
}

int Make(const fs::path& dir) {
  fs::create_directories(dir);
  const int64_t now = UnixNow();
  const epermit::Date today = TodayInChina(now);

  // The issuer key lives in a real key store (0700 directory, 0600 private key), as a node's does.
  auto store = Must(cred::KeyStore::Open((dir / "keys").string(), std::nullopt), "key store");
  cred::KeyInfo issuer_info = Must(store.Generate(cred::SigAlg::kEdDSA, kCity, now - 3600), "generate issuer key");
  auto issuer = Must(store.ActiveSigner(now), "issuer signer");
  auto root = cred::GenerateEd25519("root-interop");
  auto holder = cred::GenerateEd25519("holder-interop");

  const std::string permit_number = epermit::domain::FormatPermitNumber(kCity, 183, 1);
  const std::string issue_date = epermit::FormatIsoDate(today - std::chrono::days{30});
  const std::string endorsed_until = epermit::FormatIsoDate(epermit::AddYears(today, 1) - std::chrono::days{30});

  // 1. The QR payload, its PNG and the preset zlib dictionary other decoders need.
  cred::PermitClaims claims;
  claims.permit_number = permit_number;
  claims.name = "张伟";
  claims.masked_citizen_id = "360426********0071";
  claims.city = kCity;
  claims.issue_date = issue_date;
  claims.endorsed_until = endorsed_until;
  claims.status_index = kStatusIndex;
  claims.status_list_uri = kStatusListUri;
  claims.iat = now;
  claims.exp = now + kDay;
  claims.iss = kIss;
  const std::string qr = Must(cred::EncodeQr(*issuer, claims), "EncodeQr");
  WriteFile(dir / "qr.txt", qr);
  WriteFile(dir / "qr.png", Must(cred::RenderQrPng(qr), "RenderQrPng"));
  WriteFile(dir / "qr_dictionary.bin", cred::QrZlibDictionary());

  // 2. The status list token: index kStatusIndex valid, two others revoked and suspended.
  cred::StatusList list;
  list.Set(kRevokedIndex, cred::kStatusInvalid);
  list.Set(kSuspendedIndex, cred::kStatusSuspended);
  WriteFile(dir / "status_list.jwt", Must(list.ToToken(*issuer, kStatusListUri, now, now + kDay, 300), "status list"));
  // The same list after the permit behind kStatusIndex was revoked.
  list.Set(kStatusIndex, cred::kStatusInvalid);
  WriteFile(dir / "status_list_revoked.jwt",
            Must(list.ToToken(*issuer, kStatusListUri, now, now + kDay, 300), "revoked status list"));

  // 3. The SD-JWT VC as the credential service issues it, and a presentation with a KB-JWT.
  json visible = {{"iss", kIss},
                  {"iat", now},
                  {"exp", now + 30 * kDay},
                  {"vct", "urn:epermit:residence-permit:1"},
                  {"status", {{"status_list", {{"idx", kStatusIndex}, {"uri", kStatusListUri}}}}},
                  {"cnf", {{"jwk", cred::Ed25519Jwk(holder->public_key())}}}};
  json disclosable = {{"permit_number", permit_number},
                      {"name", "张伟"},
                      {"sex", "male"},
                      {"ethnicity", "汉族"},
                      {"birth_date", "1990-03-07"},
                      {"citizen_id", "36042619900307007X"},
                      {"photo_ref", "photo:0183"},
                      {"hukou_address", "江西省九江市湖口县双钟镇"},
                      {"residence_address", "上海市浦东新区世纪大道100号"},
                      {"resident_district", {{"code", "310115"}, {"name", "上海市浦东新区"}}},
                      {"resident_since", "2022-05-01"},
                      {"issuing_authority", "上海市公安局浦东分局"},
                      {"issue_date", issue_date},
                      {"endorsed_until", endorsed_until},
                      {"city", kCity}};
  const std::string issued = Must(cred::IssueSdJwt(*issuer, visible, disclosable, 2), "IssueSdJwt");
  const std::vector<std::string> reveal = {"resident_district", "resident_since"};
  const std::string presented = Must(cred::Present(issued, reveal, *holder, kNonce, kAudience, now), "Present");
  WriteFile(dir / "sd_jwt_issued.txt", issued);
  WriteFile(dir / "sd_jwt_presentation.txt", presented);

  // 4. Public keys, and the national trust list signed by the root.
  WriteFile(dir / "issuer.pub", cred::ByteView(issuer->public_key().raw));
  cred::TrustList trust;
  trust.version = 1;
  trust.issued_at = now;
  trust.next_update = now + 7 * kDay;
  trust.keys.push_back(issuer_info);
  WriteFile(dir / "trust_list.jwt", Must(cred::SignTrustList(*root, trust), "SignTrustList"));

  json meta = {{"now", now},
               {"today", epermit::FormatIsoDate(today)},
               {"city", kCity},
               {"iss", kIss},
               {"kid", issuer->kid()},
               {"issuer_jwk", JwkWithKid(issuer->public_key())},
               {"root_jwk", JwkWithKid(root->public_key())},
               {"holder_jwk", JwkWithKid(holder->public_key())},
               {"nonce", kNonce},
               {"aud", kAudience},
               {"permit_number", permit_number},
               {"status_list_uri", kStatusListUri},
               {"status_index", kStatusIndex},
               {"revoked_index", kRevokedIndex},
               {"suspended_index", kSuspendedIndex},
               {"qr_claims",
                {{"iss", claims.iss},
                 {"iat", claims.iat},
                 {"exp", claims.exp},
                 {"permit_number", claims.permit_number},
                 {"name", claims.name},
                 {"masked_citizen_id", claims.masked_citizen_id},
                 {"city", claims.city},
                 {"issue_date", claims.issue_date},
                 {"endorsed_until", claims.endorsed_until}}},
               {"sd_jwt_visible", visible},
               {"sd_jwt_disclosable", disclosable},
               {"sd_jwt_revealed", reveal}};
  WriteFile(dir / "fixtures.json", meta.dump(2));
  WriteFile(dir / "issuer.jwk.json", meta["issuer_jwk"].dump());
  std::cout << meta.dump() << "\n";
  return 0;
}

json ErrorJson(const epermit::Error& e) { return {{"ok", false}, {"code", e.code}, {"message", e.message_en}}; }

// The verdict a presentation gets, in the vocabulary (and numbering) of VerifyQr: SD-JWT
// verification returns error codes only, so the same split applies: no trusted key for the
// kid (or not at that time) is an unknown issuer, anything else forged or malformed.
json SdJwtVerdict(const epermit::Result<cred::VerifiedSdJwt>& r) {
  if (r.ok()) {
    return {{"ok", true},
            {"verdict", "valid"},
            {"exit_code", 0},
            {"code", "valid"},
            {"claims", r->claims},
            {"disclosed", r->disclosed},
            {"key_bound", r->key_bound},
            {"kid", r->issuer_key.kid}};
  }
  const std::string& code = r.error().code;
  const bool unknown = code == "trust.unknown_issuer" || code == "trust.key_not_valid";
  json out = ErrorJson(r.error());
  out["verdict"] = ToString(unknown ? cred::Verdict::kUnknownIssuer : cred::Verdict::kForged);
  out["exit_code"] = unknown ? 5 : 1;
  return out;
}

// Request (JSON): {"now": unix seconds (optional), "city": "310000" (of every listed key),
//   "trusted_jwks": [OKP Ed25519 JWKs with kid], "status_list": "<JWT>", "status_indices": [...],
//   "kb": {"nonce": ..., "aud": ...}, "qr": {name: text}, "sd_jwt": {name: presentation}}
int Check(const fs::path& request_path) {
  json req = json::parse(ReadFile(request_path));
  const int64_t now = req.value("now", UnixNow());
  json out = json::object();

  // The Node key(s), in a trust list signed by a fresh root and verified the way a verifier does.
  cred::TrustList draft;
  draft.version = 1;
  draft.issued_at = now;
  draft.next_update = now + 7 * kDay;
  json kids = json::array();
  for (const json& jwk : req.at("trusted_jwks")) {
    cred::PublicKey key = Must(cred::PublicKeyFromJwk(jwk), "trusted_jwks");
    if (key.kid.empty()) Die("a trusted JWK has no kid");
    cred::TrustedKey listed;
    listed.kid = key.kid;
    listed.alg = key.alg;
    listed.city = req.value("city", std::string(kCity));
    listed.valid_from = now - kDay;
    listed.pub = key;
    draft.keys.push_back(listed);
    kids.push_back(key.kid);
  }
  auto root = cred::GenerateEd25519("root-interop-check");
  const std::string signed_list = Must(cred::SignTrustList(*root, draft), "SignTrustList");
  cred::TrustList trust = Must(cred::VerifyTrustList(signed_list, root->public_key(), now, 7 * kDay), "trust list");
  out["trust_list"] = {{"ok", true}, {"kids", kids}};

  // The Node-signed status list token, checked against that trust list.
  std::optional<cred::VerifiedStatusList> status;
  if (req.contains("status_list")) {
    auto verified =
        cred::VerifyStatusListToken(req.at("status_list").get<std::string>(), cred::AsKeyLookup(trust, now), now, kDay);
    if (verified.ok()) {
      status = std::move(verified).value();
      json entries = json::object();
      const json indices = req.value("status_indices", json::array());
      for (const auto& idx : indices) {
        auto s = status->Lookup(idx.get<size_t>());
        entries[std::to_string(idx.get<size_t>())] = s.ok() ? json(*s) : json(s.error().code);
      }
      out["status_list"] = {{"ok", true}, {"uri", status->uri}, {"size", status->size()}, {"entries", entries}};
    } else {
      out["status_list"] = ErrorJson(verified.error());
    }
  }

  cred::VerifierContext ctx;
  ctx.trust = &trust;
  ctx.status_list = [&status](const std::string& uri) -> const cred::VerifiedStatusList* {
    return status && status->uri == uri ? &*status : nullptr;
  };
  ctx.now = now;
  ctx.today = TodayInChina(now);
  out["qr"] = json::object();
  const json qrs = req.value("qr", json::object());  // items() of a temporary would dangle
  for (const auto& [name, text] : qrs.items()) {
    out["qr"][name] = cred::VerificationJson(cred::VerifyQr(text.get<std::string>(), ctx));
  }

  cred::KbExpectations kb;
  kb.nonce = req.at("kb").at("nonce").get<std::string>();
  kb.audience = req.at("kb").at("aud").get<std::string>();
  out["sd_jwt"] = json::object();
  const json sd_jwts = req.value("sd_jwt", json::object());
  for (const auto& [name, text] : sd_jwts.items()) {
    out["sd_jwt"][name] =
        SdJwtVerdict(cred::VerifySdJwt(text.get<std::string>(), cred::AsKeyLookup(trust, now), &kb, now));
  }
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: interop_fixtures make DIR | check REQUEST.json\n";
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "make") return Make(argv[2]);
  if (mode == "check") return Check(argv[2]);
  std::cerr << "interop_fixtures: unknown mode " << mode << "\n";
  return 2;
}
