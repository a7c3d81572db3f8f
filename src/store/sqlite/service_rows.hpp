// The tables of services (issue 6): service applications, the inbox, and each person's last
// worked-out service standing (domain/service_application.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/service_application.hpp"
#include "store/field_cipher.hpp"
#include "store/sqlite/connection.hpp"

namespace epermit::store::sqlite {

// kConflict "service_application.duplicate" when the person already has an open application
// for the service.
Status SaveServiceApplicationRow(Connection& conn, const FieldCipher& cipher, const domain::ServiceApplication& a);
Result<std::optional<domain::ServiceApplication>> FindServiceApplicationRow(Connection& conn, const FieldCipher& cipher,
                                                                            const std::string& id);
Result<std::vector<domain::ServiceApplication>> ServiceApplicationRowsOf(Connection& conn, const FieldCipher& cipher,
                                                                         const std::string& citizen_id);
Result<std::vector<domain::ServiceApplication>> ServiceApplicationQueueRows(Connection& conn, const FieldCipher& cipher,
                                                                            const std::string& city, int limit);

Result<int64_t> InsertInboxRow(Connection& conn, const FieldCipher& cipher, const domain::InboxItem& item);
Result<std::vector<domain::InboxItem>> InboxRowsOf(Connection& conn, const FieldCipher& cipher,
                                                   const std::string& citizen_id, int limit);

Status SaveServiceStandingRow(Connection& conn, const FieldCipher& cipher, const domain::ServiceStandingRecord& s);
// known = false (and nothing qualified, not opted out) when nothing was worked out yet.
Result<domain::ServiceStandingRecord> FindServiceStandingRow(Connection& conn, const FieldCipher& cipher,
                                                             const std::string& citizen_id);

}  // namespace epermit::store::sqlite
