#include <algorithm>
#include <set>

#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"

namespace epermit::http {
namespace {

nlohmann::json LineErrors(const std::vector<service::RecordLineError>& errors) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : errors) {
    out.push_back({{"line", e.line},
                   {"code", e.error.code},
                   {"field", e.error.field},
                   {"message_en", e.error.message_en},
                   {"message_zh", e.error.message_zh}});
  }
  return out;
}

}  // namespace

void AddRecordRoutes(Router& router, const ApiServices& api) {
  // Department records: NDJSON (application/x-ndjson, one record a line) or a JSON
  // object {"records": [...]}. All or nothing.
  router.Add("POST", "/api/v1/records", [&api](HttpRequest& req) {
    std::vector<service::RecordLineError> errors;
    std::vector<nlohmann::json> records;
    if (req.content_type.rfind("application/x-ndjson", 0) == 0) {
      records = service::RecordsService::ParseNdjson(req.body, &errors);
    } else {
      auto body = ParseJsonBody(req.body);
      if (!body.ok()) return Problem(req, body.error());
      auto it = body->find("records");
      if (it == body->end() || !it->is_array()) {
        return Problem(
            req, MakeError(ErrorKind::kInvalidArgument, "field.type", "'records' must be an array of record objects.",
                           "records 必须是记录对象数组。", "records"));
      }
      records.assign(it->begin(), it->end());
    }
    // A department client writes only records of its own kinds. A record without a known
    // kind is left to the import, which refuses it with its line.
    req.subject_checked = true;
    if (req.principal && req.principal->city != api.city) {
      return Problem(req, MakeError(ErrorKind::kForbidden, "auth.forbidden",
                                    "This client belongs to another city's node.", "此客户端属于其他城市的节点。"));
    }
    const std::vector<std::string> none;
    const auto& allowed = req.principal ? req.principal->record_kinds : none;
    for (size_t i = 0; i < records.size(); ++i) {
      const auto kind = records[i].is_object() ? records[i].find("kind") : records[i].end();
      if (!records[i].is_object() || kind == records[i].end() || !kind->is_string() ||
          !domain::ParseRecordKind(kind->get<std::string>())) {
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), kind->get<std::string>()) == allowed.end()) {
        nlohmann::json extra = {{"line", i + 1}};
        return Problem(req,
                       MakeError(ErrorKind::kForbidden, "auth.record_kind",
                                 "This client may not write records of kind '" + kind->get<std::string>() + "'.",
                                 "此客户端无权写入该种类的记录：" + kind->get<std::string>() + "。", "kind"),
                       &extra);
      }
    }
    auto result = api.records->Import(records, ActorOf(req), &errors);
    if (!result.ok()) {
      nlohmann::json extra = {{"errors", LineErrors(errors)}};
      return Problem(req, result.error(), &extra);
    }
    // Each person whose records were written sees the department in their access log.
    std::set<std::string> people;
    for (const auto& r : records) {
      auto id = r.find("citizen_id");
      if (id != r.end() && id->is_string()) people.insert(id->get<std::string>());
    }
    for (const std::string& person : people) {
      req.access_notes.push_back(
          {person, {"department_records"}, "department record supply (部门数据报送)", "role:department"});
    }
    // An exact resend is not an error: its lines are skipped and named, so a department can see
    // which of its records the node already held.
    return JsonResponse(201, {{"batch_id", result->batch_id},
                              {"imported", result->imported},
                              {"unchanged", result->unchanged},
                              {"unchanged_lines", result->unchanged_lines}});
  });
}

}  // namespace epermit::http
