#include "cli/verify_command.hpp"

#include <chrono>
#include <iostream>
#include <map>
#include <optional>

#include "app/app.hpp"
#include "app/trust_admin.hpp"
#include "app/verifier_cache.hpp"
#include "app/verifier_fetch.hpp"
#include "cli/cli_util.hpp"
#include "credential/qr_image.hpp"
#include "credential/verifier.hpp"

namespace epermit::cli {
namespace {

using credential::Verdict;
using credential::Verification;

Verification FromError(Verdict verdict, const Error& e) {
  Verification v;
  v.verdict = verdict;
  v.code = e.code;
  v.message_en = e.message_en;
  v.message_zh = e.message_zh;
  return v;
}

int Print(const Verification& v) {
  std::cout << credential::VerificationJson(v).dump(2) << "\n";
  return v.exit_code();
}

}  // namespace

VerifyCommand::VerifyCommand(CLI::App& cli) {
  verify_ = cli.add_subcommand("verify", "Check a permit QR code offline (trust list + cached status lists)");
  verify_->add_option("QR-TEXT", qr_, "The QR code's text (JZZ1:...)");
  auto* image = verify_->add_option("--image", image_, "A PNG image of the QR code (read with zbar)");
  image->excludes(verify_->get_option("QR-TEXT"));
  verify_->add_option("--trust-list", trust_list_, "Signed trust list file (default: the cache's)");
  verify_->add_option("--root-key", root_key_,
                      "Root public key JSON the trust list must be signed with "
                      "(default: the one cached by --fetch; required with --fetch)");
  verify_
      ->add_option("--status-list", status_lists_,
                   "Status List Token file; repeat the option for more (default: the cache's status lists)")
      // One file per occurrence, so the QR text after it stays a positional argument.
      ->allow_extra_args(false);
  verify_->add_option("--cache", cache_, "Cache directory (default: $XDG_CACHE_HOME/epermit or ~/.cache/epermit)");
  verify_->add_option("--fetch", fetch_,
                      "ONLINE step first: download BASE_URL/.well-known/epermit-trust-list and "
                      "BASE_URL/api/v1/status-lists/{id}, verify them and store them in the cache. Plain http:// "
                      "only (the data is signed and verified; no TLS)");
  verify_
      ->add_option("--list-id", list_ids_,
                   "With --fetch: status list ids to download (default 0, plus the one the QR names); repeatable")
      ->allow_extra_args(false)
      ->check(CLI::Range(int64_t{0}, int64_t{999999}));
  verify_->add_option("--at", at_, "Decide as of this time instead of now (YYYY-MM-DD or Unix seconds; audits, tests)");
  verify_->footer(
      "Prints the verdict as JSON and exits:\n"
      "  0 valid   1 forged or malformed   2 revoked   3 suspended or lapsed   4 expired\n"
      "  5 unknown issuer   6 stale or missing trust/status data (also: a forged or unverifiable trust list,\n"
      "    since that says nothing about the QR code; fetch again)\n"
      "With --fetch and no QR code: exit 0 when everything fetched verified, 6 otherwise.");
}

int VerifyCommand::Run() const {
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (!at_.empty()) {
    auto t = app::ParseTimeArg(at_, "--at");
    if (!t.ok()) return Print(FromError(Verdict::kForged, t.error()));
    now = *t;
  }
  std::string cache_dir = cache_;
  if (cache_dir.empty()) {
    auto dir = app::DefaultVerifierCacheDir(app::ProcessEnv());
    if (!dir.ok()) return Print(FromError(Verdict::kStale, dir.error()));
    cache_dir = *dir;
  }
  const app::VerifierCache cache(cache_dir);

  // The QR text first: --fetch may need the status list it names.
  std::optional<std::string> qr;
  if (!image_.empty()) {
    auto png = app::ReadTextFile(image_);
    if (!png.ok()) return Print(FromError(Verdict::kForged, png.error()));
    auto text = credential::DecodeQrPng(credential::AsBytes(*png));
    if (!text.ok()) return Print(FromError(Verdict::kForged, text.error()));
    qr = *text;
  } else if (!qr_.empty()) {
    qr = app::TrimmedToken(qr_);
  }

  if (!fetch_.empty()) {
    if (root_key_.empty()) {
      return PrintError(MakeError(ErrorKind::kInvalidArgument, "cli.usage",
                                  "--fetch needs --root-key: the fetched trust list is only as good as the key that "
                                  "checks it.",
                                  "--fetch 需要 --root-key：下载的信任列表必须用根公钥核验。"),
                        static_cast<int>(Verdict::kStale));
    }
    auto root = app::ReadRootKeyFile(root_key_);
    if (!root.ok()) return PrintError(root.error(), static_cast<int>(Verdict::kStale));
    std::vector<int64_t> ids = list_ids_;
    if (ids.empty()) ids.push_back(0);
    if (qr) {
      // Untrusted, but only used to choose which list to download from the node the
      // operator named; the download itself is verified.
      auto peek = credential::PeekQrClaims(*qr);
      if (peek.ok()) {
        if (auto id = app::StatusListIdOf(peek->status_list_uri)) ids.push_back(*id);
      }
    }
    auto report = app::FetchIntoCache(fetch_, *root, cache, ids, now);
    if (!report.ok()) {
      // Nothing was stored; whatever was cached before still decides, or says stale.
      PrintError(report.error(), static_cast<int>(Verdict::kStale));
      if (!qr) return static_cast<int>(Verdict::kStale);
    } else {
      for (const Error& e : report->failures) PrintError(e, static_cast<int>(Verdict::kStale));
      if (!qr) {
        nlohmann::json out = report->ToJson();
        out["cache"] = cache.dir();
        std::cout << out.dump(2) << "\n";
        return report->failures.empty() ? 0 : static_cast<int>(Verdict::kStale);
      }
    }
  }

  if (!qr || qr->empty()) {
    return Print(FromError(Verdict::kForged, MakeError(ErrorKind::kInvalidArgument, "qr.missing",
                                                       "No QR code given: pass its text or --image FILE.png.",
                                                       "未提供二维码：请给出其文本或 --image FILE.png。")));
  }

  // Trust: the root key, then the list it signed, both verified now.
  Result<credential::PublicKey> root = root_key_.empty() ? cache.RootKey() : app::ReadRootKeyFile(root_key_);
  if (!root.ok()) return Print(FromError(Verdict::kStale, root.error()));
  Result<credential::TrustList> trust =
      trust_list_.empty() ? cache.TrustList(*root, now) : app::ReadTrustListFile(trust_list_, *root, now);
  // A forged list is the verifier's problem, not the holder's: say "cannot decide" (6),
  // never "forged" (1), which would blame the person showing the code.
  if (!trust.ok()) return Print(FromError(Verdict::kStale, trust.error()));

  std::vector<std::pair<std::string, std::string>> tokens;  // (where, token)
  if (!status_lists_.empty()) {
    for (const auto& path : status_lists_) {
      auto text = app::ReadTokenFile(path);
      if (!text.ok()) {
        PrintError(text.error(), 0);
        continue;
      }
      tokens.emplace_back(path, *text);
    }
  } else {
    for (auto& t : cache.StatusListTokens()) tokens.emplace_back(cache.status_lists_dir(), std::move(t));
  }
  std::map<std::string, credential::VerifiedStatusList> lists;
  for (const auto& [where, token] : tokens) {
    auto list = app::VerifyStatusList(token, *trust, now);
    if (!list.ok()) {
      // Unusable lists are left out, so the verdict becomes "stale" rather than a guess.
      std::cerr << "warning: ignoring a status list from " << where << ": " << list.error().code << "\n";
      continue;
    }
    auto& slot = lists[list->uri];
    if (list->iat >= slot.iat) slot = std::move(list).value();
  }

  credential::VerifierContext ctx;
  ctx.trust = &*trust;
  ctx.status_list = [&lists](const std::string& uri) -> const credential::VerifiedStatusList* {
    auto it = lists.find(uri);
    return it == lists.end() ? nullptr : &it->second;
  };
  ctx.now = now;
  ctx.today = std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(now)) +
                                                    std::chrono::hours(8));
  return Print(credential::VerifyQr(*qr, ctx));
}

}  // namespace epermit::cli
