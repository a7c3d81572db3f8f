#include "service/ledger_service.hpp"

#include "domain/division.hpp"
#include "domain/record_codec.hpp"
#include "service/field_checks.hpp"

namespace epermit::service {

Result<LedgerView> LedgerService::Get(const std::string& citizen_id) const {
  const Date today = ctx_.clock->Today();
  EPERMIT_ASSIGN_OR_RETURN(domain::CitizenId id, CheckCitizenId(citizen_id, "citizen_id", today));
  std::vector<domain::Registration> registrations;
  std::vector<domain::Permit> permits;
  domain::RecordBundle records;
  size_t record_count = 0;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(registrations, tx.RegistrationsOf(id.number));
    EPERMIT_ASSIGN_OR_RETURN(permits, tx.PermitsOf(id.number));
    EPERMIT_ASSIGN_OR_RETURN(std::vector<store::StoredRecord> rows, tx.StoredRecordsOf(id.number));
    record_count = rows.size();
    for (const store::StoredRecord& row : rows) {
      EPERMIT_RETURN_IF_ERROR(domain::AddStoredToBundle(records, row.id, row.body_json));
    }
    return Status::Ok();
  }));
  if (registrations.empty() && permits.empty() && record_count == 0) {
    return MakeError(ErrorKind::kNotFound, "person.not_found",
                     "This node holds no registration, permit or department record of that person.",
                     "本节点没有该人员的居住登记、居住证或部门数据。", "citizen_id");
  }
  std::string hukou_city;
  const domain::HukouRecord* latest = nullptr;
  for (const domain::HukouRecord& h : records.hukou) {
    if (latest == nullptr || h.h.id > latest->h.id) latest = &h;
  }
  if (latest != nullptr) hukou_city = domain::DivisionRegistry::Builtin().CityOf(latest->division_code);
  return LedgerView{policy::BuildLedger(id.number, registrations, permits, records, today), today,
                    std::move(hukou_city)};
}

}  // namespace epermit::service
