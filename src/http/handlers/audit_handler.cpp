// The transparency log over HTTP: the latest signed tree head and the proofs a client
// checks it with (hashes only, so public), and one entry's content (operators).
#include <charconv>

#include "http/handlers/handlers.hpp"
#include "http/problem.hpp"
#include "service/transparency_log.hpp"

namespace epermit::http {
namespace {

// A query parameter that must be a whole number from 0 up, or a 422 naming it.
Result<uint64_t> Count(const HttpRequest& req, const std::string& name, std::optional<uint64_t> fallback) {
  const std::string* text = req.Query(name);
  if (text == nullptr) {
    if (fallback) return *fallback;
    return MakeError(ErrorKind::kInvalidArgument, "audit.missing_parameter",
                     "Query parameter " + name + " is required.", "缺少查询参数 " + name + "。", name);
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return MakeError(ErrorKind::kInvalidArgument, "audit.bad_parameter", name + " must be a whole number.",
                     name + " 须为非负整数。", name);
  }
  return value;
}

nlohmann::json HexList(const std::vector<audit::Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hashes) out.push_back(audit::ToHex(h));
  return out;
}

std::optional<uint64_t> LatestSize(const ApiServices& api) {
  auto head = api.audit->LatestHead();
  if (!head.ok()) return std::nullopt;
  return static_cast<uint64_t>(head->tree_size);
}

}  // namespace

void AddAuditRoutes(Router& router, const ApiServices& api) {
  router.Add("GET", "/api/v1/audit/tree-head", [&api](HttpRequest& req) {
    auto head = api.audit->LatestHead();
    if (!head.ok()) return Problem(req, head.error());
    const audit::Hash root = audit::FromBytes(head->root_hash).value_or(audit::Hash{});
    return JsonResponse(200, {{"tree_size", head->tree_size},
                              {"timestamp", head->timestamp},
                              {"root_hash", audit::ToHex(root)},
                              {"signed_head", head->signed_head}});
  });

  // ?leaf_index=N[&tree_size=M]: M defaults to the latest signed head's size.
  router.Add("GET", "/api/v1/audit/proof/inclusion", [&api](HttpRequest& req) {
    auto index = Count(req, "leaf_index", std::nullopt);
    if (!index.ok()) return Problem(req, index.error());
    auto size = Count(req, "tree_size", LatestSize(api));
    if (!size.ok()) return Problem(req, size.error());
    auto proof = api.audit->InclusionProof(*index, *size);
    if (!proof.ok()) return Problem(req, proof.error());
    return JsonResponse(200, {{"leaf_index", *index}, {"tree_size", *size}, {"inclusion_path", HexList(*proof)}});
  });

  // ?first=M[&second=N]: N defaults to the latest signed head's size.
  router.Add("GET", "/api/v1/audit/proof/consistency", [&api](HttpRequest& req) {
    auto first = Count(req, "first", std::nullopt);
    if (!first.ok()) return Problem(req, first.error());
    auto second = Count(req, "second", LatestSize(api));
    if (!second.ok()) return Problem(req, second.error());
    auto proof = api.audit->ConsistencyProof(*first, *second);
    if (!proof.ok()) return Problem(req, proof.error());
    return JsonResponse(200, {{"first", *first}, {"second", *second}, {"consistency_path", HexList(*proof)}});
  });

  // The exact bytes hashed into leaf {index}, so that an operator can recompute it.
  router.Add("GET", "/api/v1/audit/entries/{index}", [&api](HttpRequest& req) {
    uint64_t index = 0;
    const std::string& text = req.Param("index");
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Problem(req, MakeError(ErrorKind::kInvalidArgument, "audit.bad_parameter", "index must be a whole number.",
                                    "index 须为非负整数。", "index"));
    }
    auto entry = api.audit->Entry(index);
    if (!entry.ok()) return Problem(req, entry.error());
    const std::string bytes = service::AuditEntryBytes(*entry);
    return JsonResponse(200,
                        {{"leaf_index", index}, {"entry", bytes}, {"leaf_hash", audit::ToHex(audit::LeafHash(bytes))}});
  });
}

}  // namespace epermit::http
