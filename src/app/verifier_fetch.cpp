#include "app/verifier_fetch.hpp"

#include <algorithm>
#include <set>

#include "app/app.hpp"
#include "app/http_fetch.hpp"
#include "app/trust_admin.hpp"
#include "credential/jws.hpp"

namespace epermit::app {
namespace {

Result<std::string> GetOk(const std::string& url) {
  EPERMIT_ASSIGN_OR_RETURN(HttpGetResponse res, HttpGet(url));
  if (res.status != 200) {
    return MakeError(ErrorKind::kUnavailable, "fetch.http",
                     "GET " + url + " answered HTTP " + std::to_string(res.status) + ".",
                     "GET " + url + " 返回 HTTP " + std::to_string(res.status) + "。");
  }
  return std::move(res.body);
}

}  // namespace

nlohmann::json FetchReport::ToJson() const {
  nlohmann::json failed = nlohmann::json::array();
  for (const Error& e : failures) failed.push_back({{"code", e.code}, {"message_en", e.message_en}});
  return {{"trust_list", {{"version", trust_version}, {"next_update", trust_next_update}, {"keys", trust_keys}}},
          {"status_lists", status_lists},
          {"failures", failed}};
}

std::optional<int64_t> StatusListIdOf(const std::string& uri) {
  constexpr std::string_view kMarker = "/status-lists/";
  const size_t at = uri.rfind(kMarker);
  if (at == std::string::npos) return std::nullopt;
  const std::string id = uri.substr(at + kMarker.size());
  if (id.empty() || id.size() > 6 || id.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(id);
}

Result<FetchReport> FetchIntoCache(const std::string& base_url, const credential::PublicKey& root,
                                   const VerifierCache& cache, const std::vector<int64_t>& list_ids, int64_t now) {
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  EPERMIT_ASSIGN_OR_RETURN(std::string jws, GetOk(base + "/.well-known/epermit-trust-list"));
  EPERMIT_ASSIGN_OR_RETURN(credential::TrustList trust,
                           credential::VerifyTrustList(jws, root, now, kTrustListMaxAgeSeconds));
  if (auto cached = ReadTextFile(cache.trust_list_path()); cached.ok()) {
    const auto old_version = SignedTrustListVersion(*cached, root);
    if (old_version && *old_version > trust.version) {
      return MakeError(ErrorKind::kFailedPrecondition, "trust.rollback",
                       "The node serves trust list version " + std::to_string(trust.version) +
                           ", older than the cached version " + std::to_string(*old_version) + "; keeping the cache.",
                       "节点提供的信任列表版本 " + std::to_string(trust.version) + " 早于缓存中的版本 " +
                           std::to_string(*old_version) + "，保留缓存。");
    }
  }
  EPERMIT_RETURN_IF_ERROR(cache.PutRootKey(root));
  EPERMIT_RETURN_IF_ERROR(cache.PutTrustList(jws));

  FetchReport report;
  report.trust_version = trust.version;
  report.trust_next_update = trust.next_update;
  report.trust_keys = trust.keys.size();
  for (int64_t id : std::set<int64_t>(list_ids.begin(), list_ids.end())) {
    auto token = GetOk(base + "/api/v1/status-lists/" + std::to_string(id));
    if (!token.ok()) {
      report.failures.push_back(token.error());
      continue;
    }
    auto verified = VerifyStatusList(*token, trust, now);
    if (!verified.ok()) {
      report.failures.push_back(verified.error());
      continue;
    }
    // Stored under the URI the list names itself by (its signed sub), which is what a QR's
    // status claim points at, whatever address it was fetched from.
    EPERMIT_RETURN_IF_ERROR(cache.PutStatusList(verified->uri, *token));
    report.status_lists.push_back(verified->uri);
  }
  return report;
}

}  // namespace epermit::app
