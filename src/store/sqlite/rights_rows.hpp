// The tables of a resident's say over their data: consents given to third parties,
// assisted-service confirmations and correction requests (domain/person_rights.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/person_rights.hpp"
#include "store/field_cipher.hpp"
#include "store/sqlite/connection.hpp"

namespace epermit::store::sqlite {

Status SaveConsentRow(Connection& conn, const FieldCipher& cipher, const domain::Consent& c);
Result<std::optional<domain::Consent>> FindConsentRow(Connection& conn, const FieldCipher& cipher,
                                                      const std::string& id);
Result<std::vector<domain::Consent>> ConsentRowsOf(Connection& conn, const FieldCipher& cipher,
                                                   const std::string& citizen_id);
Result<std::vector<domain::Consent>> ConsentRowsRequestedBy(Connection& conn, const FieldCipher& cipher,
                                                            int64_t requester_id);

Status SaveAssistRow(Connection& conn, const FieldCipher& cipher, const domain::Assist& a);
Result<std::optional<domain::Assist>> FindAssistRow(Connection& conn, const FieldCipher& cipher, const std::string& id);
Result<std::vector<domain::Assist>> AssistRowsFor(Connection& conn, const FieldCipher& cipher,
                                                  const std::string& citizen_id);

Status SaveCorrectionRow(Connection& conn, const FieldCipher& cipher, const domain::Correction& c);
Result<std::optional<domain::Correction>> FindCorrectionRow(Connection& conn, const FieldCipher& cipher,
                                                            const std::string& id);
Result<std::vector<domain::Correction>> CorrectionRowsOf(Connection& conn, const FieldCipher& cipher,
                                                         const std::string& citizen_id);
Result<std::vector<domain::Correction>> PendingCorrectionRows(Connection& conn, const FieldCipher& cipher,
                                                              const std::string& city);

}  // namespace epermit::store::sqlite
