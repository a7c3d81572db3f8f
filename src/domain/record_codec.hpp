// Department records on the wire (NDJSON lines or JSON objects) and in the store:
// strict validation into typed records, and back to canonical JSON. Documented for
// departments in docs/RECORDS.md.
#pragma once

#include <nlohmann/json.hpp>
#include <variant>

#include "common/result.hpp"
#include "domain/model.hpp"

namespace epermit::domain {

using AnyRecord = std::variant<PersonRecord, HukouRecord, SocialInsuranceRecord, EmploymentRecord, HousingRecord,
                               EnrollmentRecord, HousingFundRecord, IncomeTaxRecord, EducationRecord,
                               QualificationRecord, HonourRecord, ViolationRecord, FamilyRecord>;

RecordKind KindOf(const AnyRecord& r);
const RecordHeader& HeaderOf(const AnyRecord& r);

// Validates one record object. `today` bounds dates, months and years: none may lie in
// the future. Errors carry the offending member name in `field`. Members the kind does not
// define are ignored (and not kept).
Result<AnyRecord> ParseRecord(const nlohmann::json& obj, Date today);

// The canonical JSON of a record (what the store keeps and the API returns). Optional
// members added after a kind was first defined (social_insurance division_code and
// base_ratio_pct, employment post_type) appear only when stated, so the canonical text of
// an older record is unchanged and an exact resend is recognised.
nlohmann::json RecordToJson(const AnyRecord& r);

// Adds a stored record (already validated once) to a bundle.
Status AddToBundle(RecordBundle& bundle, int64_t id, const nlohmann::json& obj);
// The same from the record's stored JSON text.
Status AddStoredToBundle(RecordBundle& bundle, int64_t id, std::string_view stored_json);

}  // namespace epermit::domain
