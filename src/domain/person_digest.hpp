// A person's digest: what the accumulation ledger (policy/ledger.hpp BuildLedger) reads of
// their registrations, permits and department records, in a compact binary form the store
// keeps beside the rows, so a whole-population pass (policy simulation) reads one short row
// per person in citizen-ID order instead of three tables' rows and every record's JSON.
//
// Only the fields BuildLedger reads are kept (no names, phone numbers, addresses or employer
// names): a field BuildLedger starts to read must be added here, and
// tests/policy/person_digest_test.cpp checks the ledger built from a digest against the one
// built from the rows for every kind of record. The form is this program's own (a version
// byte, then varints and length-prefixed strings); a digest of another version or a damaged
// one is an error, never a partial person.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"

namespace epermit::domain {

// One person's rows as the ledger reads them, in the store's order: registrations by (city,
// registered_on, created_at, id), permits by (city, sequence, version), records by id.
struct PersonInputs {
  std::string citizen_id;
  std::vector<Registration> registrations;
  std::vector<Permit> permits;
  RecordBundle records;
};

std::string EncodePersonDigest(const PersonInputs& person);

// Fills `out` (registrations, permits and records; citizen_id is left as it is: the store
// keys digests by it). Error "store.digest_invalid" for a damaged or foreign digest.
Status DecodePersonDigest(std::string_view digest, PersonInputs& out);

}  // namespace epermit::domain
