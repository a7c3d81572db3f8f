// The access log a resident can read (GET /api/v1/me/access-log): every read or change of a
// person's data by anyone but the person, with who, which fields, the purpose and the legal
// basis (a consent, an assisted-service confirmation, the reviewer's or the department's
// statutory role). Each entry is a history row (entity "access", the person), so it is also a
// leaf of the transparency log and the person can ask for its inclusion proof.
//
// An entry is committed before the answer leaves the node (the request guard writes it and
// answers 503 if it cannot), so no read goes unlogged. Concurrent requests' entries share a
// commit through the store's group commit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "service/node_context.hpp"

namespace epermit::service {

struct AccessEvent {
  std::string citizen_id;  // whose data
  std::string actor;       // "<role>:<username>"
  std::string action;      // "read" or "change"
  std::string route;       // "GET /api/v1/permits/{number}"
  std::vector<std::string> fields;
  std::string purpose;
  std::string basis;  // "consent:<id>", "assist:<id>", "role:reviewer", "role:department"
  int64_t at = 0;     // 0: now
};

struct AccessLogEntry {
  AccessEvent event;
  uint64_t leaf_index = 0;  // its leaf in the transparency log (history id - 1)
  std::string entry;        // the exact bytes hashed into that leaf, so the person can check it
};

class AccessLog {
 public:
  explicit AccessLog(NodeContext ctx) : ctx_(ctx) {}

  // Commits the events (one transaction).
  Status Record(std::vector<AccessEvent> events);
  // The person's entries, oldest first.
  Result<std::vector<AccessLogEntry>> Of(const std::string& citizen_id);

 private:
  NodeContext ctx_;
};

}  // namespace epermit::service
