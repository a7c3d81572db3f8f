#include "cli/trust_command.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "app/app.hpp"
#include "app/atomic_file.hpp"
#include "app/trust_admin.hpp"
#include "app/verifier_cache.hpp"
#include "cli/cli_util.hpp"
#include "credential/jws.hpp"

namespace epermit::cli {
namespace {

namespace fs = std::filesystem;

// Exit codes of `trust init|add|sign` failures, as for the other operator commands.
constexpr int kExitError = 2;
// `trust show` answers like `epermit verify` does about its data.
constexpr int kExitForged = 1;
constexpr int kExitStale = 6;

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The payload of a compact JWS as JSON, WITHOUT checking the signature: only to show a
// list whose root key the caller did not give.
std::optional<nlohmann::json> UncheckedPayload(const std::string& jws) {
  const size_t a = jws.find('.');
  const size_t b = a == std::string::npos ? a : jws.find('.', a + 1);
  if (b == std::string::npos) return std::nullopt;
  auto bytes = credential::Base64UrlDecode(std::string_view(jws).substr(a + 1, b - a - 1));
  if (!bytes.ok()) return std::nullopt;
  auto j = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

nlohmann::json ListJson(const credential::TrustList& list) {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& k : list.keys) keys.push_back(app::TrustedKeyJson(k));
  return {{"version", list.version}, {"issued_at", list.issued_at}, {"next_update", list.next_update}, {"keys", keys}};
}

}  // namespace

TrustCommand::TrustCommand(CLI::App& cli) {
  trust_ = cli.add_subcommand("trust", "The national trust list: root key, city issuer keys, signing, inspection");
  trust_->require_subcommand(1);

  init_ = trust_->add_subcommand(
      "init", "Create the root key in DIR: private key 0600 under DIR/private (0700), public key DIR/root-key.json");
  init_->add_option("--dir", dir_, "Directory for the root key (created 0700; refused if it already holds one)")
      ->required();
  init_->add_option("--alg", alg_, "Root key algorithm")->capture_default_str()->check(CLI::IsMember({"EdDSA", "SM2"}));
  init_->footer(
      "Set EPERMIT_KEY_PASSPHRASE to store the private key encrypted. The private key is never printed; give "
      "DIR/root-key.json to every node (trust.root_key_file) and verifier (--root-key).");

  add_ = trust_->add_subcommand("add", "Add city issuer public keys to an unsigned draft list (created if missing)");
  add_->add_option("DRAFT", draft_, "Draft list file (JSON, unsigned)")->required();
  auto* key_dir = add_->add_option("--key-dir", key_dir_, "A city node's key directory: adds its keys (public halves)");
  auto* key_file = add_->add_option("--key-file", key_file_,
                                    "A public key JSON file: a key directory's <kid>.json, or {kid, alg, x} together "
                                    "with --city and --valid-from");
  key_dir->excludes(key_file);
  add_->add_option("--kid", kid_, "With --key-dir: add only this key");
  add_->add_option("--city", city_, "City code (GB/T 2260, city level, e.g. 310000); overrides the file's");
  add_->add_option("--valid-from", valid_from_, "Signs from: YYYY-MM-DD (China time) or Unix seconds");
  add_->add_option("--valid-to", valid_to_, "Signs until (exclusive): YYYY-MM-DD (China time) or Unix seconds");

  sign_ = trust_->add_subcommand("sign", "Sign a draft with the root key into the trust list a node serves (JWS)");
  sign_->add_option("DRAFT", draft_, "Draft list file")->required()->check(CLI::ExistingFile);
  sign_->add_option("--root-dir", dir_, "Root key directory (trust init --dir)")->required();
  sign_->add_option("--out", out_, "Signed list to write; if it exists, the new version follows its version")
      ->required();
  sign_->add_option("--version", version_, "List version (default: the previous one in --out plus 1, or 1)")
      ->check(CLI::PositiveNumber);
  auto* days = sign_->add_option("--days", days_, "Next update due this many days from now")
                   ->capture_default_str()
                   ->check(CLI::Range(int64_t{1}, int64_t{366}));
  sign_->add_option("--next-update", next_update_, "Next update due at: YYYY-MM-DD (China time) or Unix seconds")
      ->excludes(days);

  show_ = trust_->add_subcommand("show", "Print a signed list (or a draft) as JSON; with --root-key, verify it");
  show_->add_option("FILE", file_, "Signed trust list (JWS) or draft (JSON)")->required();
  show_->add_option("--root-key", root_key_, "Root public key JSON: check signature and freshness");
  show_->add_option("--at", at_, "Check freshness as of this time instead of now (YYYY-MM-DD or Unix seconds)");
  show_->footer(
      "Exit 0: shown (and, with --root-key, genuine and fresh); 1: forged, altered or malformed; 6: genuine but "
      "stale; 2: unreadable file.");
}

int TrustCommand::Run() const {
  if (init_->parsed()) return Init();
  if (add_->parsed()) return Add();
  if (sign_->parsed()) return Sign();
  if (show_->parsed()) return Show();
  return kExitError;
}

int TrustCommand::Init() const {
  auto alg = credential::SigAlgFromJose(alg_);
  if (!alg.ok()) return PrintError(alg.error(), kExitError);
  auto pub = app::InitRootKey(dir_, *alg, Now());
  if (!pub.ok()) return PrintError(pub.error(), kExitError);
  nlohmann::json out = app::PublicKeyJson(*pub);
  out["public_key_file"] = app::RootKeyPathsIn(dir_).public_key_file;
  std::cout << out.dump(2) << "\n";
  return 0;
}

int TrustCommand::Add() const {
  if (key_dir_.empty() == key_file_.empty()) {
    return PrintError(
        MakeError(ErrorKind::kInvalidArgument, "cli.usage", "Give exactly one of --key-dir or --key-file.",
                  "请只给出 --key-dir 或 --key-file 之一。"),
        kExitError);
  }
  std::optional<std::string> city;
  if (!city_.empty()) city = city_;
  std::optional<int64_t> from, to;
  if (!valid_from_.empty()) {
    auto t = app::ParseTimeArg(valid_from_, "--valid-from");
    if (!t.ok()) return PrintError(t.error(), kExitError);
    from = *t;
  }
  if (!valid_to_.empty()) {
    auto t = app::ParseTimeArg(valid_to_, "--valid-to");
    if (!t.ok()) return PrintError(t.error(), kExitError);
    to = *t;
  }
  auto draft = app::ReadTrustDraft(draft_, /*missing_ok=*/true);
  if (!draft.ok()) return PrintError(draft.error(), kExitError);

  std::vector<credential::TrustedKey> keys;
  if (!key_dir_.empty()) {
    auto listed = app::KeysInKeyDir(key_dir_);
    if (!listed.ok()) return PrintError(listed.error(), kExitError);
    for (auto& k : *listed) {
      if (!kid_.empty() && k.kid != kid_) continue;
      if (city) k.city = *city;
      if (from) k.valid_from = *from;
      keys.push_back(std::move(k));
    }
    if (keys.empty()) {
      const std::string what = kid_.empty() ? "no keys" : "no key " + kid_;
      return PrintError(MakeError(ErrorKind::kNotFound, "trust.no_keys", key_dir_ + " holds " + what + ".",
                                  key_dir_ + " 中没有" + (kid_.empty() ? "密钥" : "密钥 " + kid_) + "。"),
                        kExitError);
    }
  } else {
    auto key = app::KeyFromFile(key_file_, city, from);
    if (!key.ok()) return PrintError(key.error(), kExitError);
    keys.push_back(std::move(key).value());
  }
  nlohmann::json added = nlohmann::json::array();
  for (auto& k : keys) {
    if (to) k.valid_to = *to;
    const std::string kid = k.kid;
    // All or nothing: the draft file is written only when every key was accepted.
    Status s = app::AddTrustedKey(*draft, std::move(k));
    if (!s.ok()) return PrintError(s.error(), kExitError);
    added.push_back(kid);
  }
  Status written = app::WriteTrustDraft(draft_, *draft);
  if (!written.ok()) return PrintError(written.error(), kExitError);
  std::cout << nlohmann::json{{"draft", draft_}, {"added", added}, {"keys", draft->keys.size()}}.dump(2) << "\n";
  return 0;
}

int TrustCommand::Sign() const {
  const int64_t now = Now();
  auto draft = app::ReadTrustDraft(draft_, /*missing_ok=*/false);
  if (!draft.ok()) return PrintError(draft.error(), kExitError);
  auto signer = app::LoadRootSigner(dir_, now);
  if (!signer.ok()) return PrintError(signer.error(), kExitError);

  // Verifiers refuse to go back to a lower version, so each list must number above the last.
  int64_t previous = 0;
  std::error_code ec;
  if (fs::exists(out_, ec)) {
    auto old = app::ReadTextFile(out_);
    if (!old.ok()) return PrintError(old.error(), kExitError);
    auto v = app::SignedTrustListVersion(app::TrimmedToken(*old), (*signer)->public_key());
    if (!v) {
      return PrintError(
          MakeError(ErrorKind::kConflict, "trust.previous_unverified",
                    out_ + " exists but is not a list signed by this root key; move it away to start afresh.",
                    out_ + " 已存在，但不是由此根密钥签发的信任列表；请先移走。"),
          kExitError);
    }
    previous = *v;
  }
  const int64_t version = version_ > 0 ? version_ : previous + 1;
  if (version <= previous) {
    return PrintError(MakeError(ErrorKind::kInvalidArgument, "trust.version",
                                "--version must be above the previous version " + std::to_string(previous) + ".",
                                "--version 必须大于上一版本 " + std::to_string(previous) + "。", "version"),
                      kExitError);
  }
  int64_t next_update = now + days_ * 86400;
  if (!next_update_.empty()) {
    auto t = app::ParseTimeArg(next_update_, "--next-update");
    if (!t.ok()) return PrintError(t.error(), kExitError);
    next_update = *t;
  }
  auto jws = app::SignTrustDraft(**signer, *draft, version, now, next_update);
  if (!jws.ok()) return PrintError(jws.error(), kExitError);
  // No trailing newline: a node serves the file byte for byte as the JWS.
  Status written = app::WriteFileAtomic(out_, *jws);
  if (!written.ok()) return PrintError(written.error(), kExitError);
  std::cout << nlohmann::json{{"out", out_},
                              {"version", version},
                              {"issued_at", now},
                              {"next_update", next_update},
                              {"keys", draft->keys.size()},
                              {"root_kid", (*signer)->kid()}}
                   .dump(2)
            << "\n";
  return 0;
}

int TrustCommand::Show() const {
  auto text = app::ReadTextFile(file_);
  if (!text.ok()) return PrintError(text.error(), kExitError);
  const std::string content = app::TrimmedToken(*text);
  if (!content.empty() && content.front() == '{') {
    auto draft = app::ReadTrustDraft(file_, false);
    if (!draft.ok()) return PrintError(draft.error(), kExitForged);
    nlohmann::json out = app::TrustDraftJson(*draft);
    out["kind"] = "draft";
    out["signature"] = "unsigned";
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  int64_t now = Now();
  if (!at_.empty()) {
    auto t = app::ParseTimeArg(at_, "--at");
    if (!t.ok()) return PrintError(t.error(), kExitError);
    now = *t;
  }
  nlohmann::json out = {{"kind", "signed"}, {"file", file_}};
  if (root_key_.empty()) {
    auto payload = UncheckedPayload(content);
    if (!payload) {
      return PrintError(MakeError(ErrorKind::kInvalidArgument, "trust.format", file_ + " is not a signed trust list.",
                                  file_ + " 不是已签名的信任列表。"),
                        kExitForged);
    }
    out["signature"] = "not_checked";
    out["note"] = "pass --root-key to verify the signature and freshness";
    out["list"] = *payload;
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  auto root = app::ReadRootKeyFile(root_key_);
  if (!root.ok()) return PrintError(root.error(), kExitError);
  auto list = credential::VerifyTrustList(content, *root, now, app::kTrustListMaxAgeSeconds);
  int code = 0;
  if (list.ok()) {
    out["signature"] = "verified";
    out["fresh"] = true;
    out["list"] = ListJson(*list);
  } else if (list.error().code == "trust.stale") {
    // Genuine but old: show what it says, and say that it is old.
    out["signature"] = "verified";
    out["fresh"] = false;
    out["error"] = ErrorJson(list.error());
    if (auto payload = UncheckedPayload(content)) out["list"] = *payload;
    code = kExitStale;
  } else {
    out["signature"] = list.error().code == "trust.forged" ? "forged" : "malformed";
    out["error"] = ErrorJson(list.error());
    code = kExitForged;
  }
  out["root_kid"] = root->kid;
  std::cout << out.dump(2) << "\n";
  if (code != 0) PrintError(list.error(), code);
  return code;
}

}  // namespace epermit::cli
