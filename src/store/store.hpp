// The storage contract of a city node. Services see only these interfaces, so the
// SQLite backend (store/sqlite/) and a later PostgreSQL backend pass the same
// contract tests (tests/store/).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/account.hpp"
#include "domain/model.hpp"
#include "domain/person_rights.hpp"
#include "domain/service_application.hpp"

namespace epermit::store {

// How hard a commit must hit the disk. Issuance and revocation use kFull
// (SQLite synchronous=FULL): once the caller sees success the row survives power loss.
enum class Durability { kNormal, kFull };

// A department record ready to store: its kind, owner and the typed fields as JSON text.
struct StoredRecord {
  domain::RecordKind kind = domain::RecordKind::kPerson;
  std::string citizen_id;
  std::string source;
  std::string body_json;  // the validated record, canonical JSON
  int64_t id = 0;         // assigned by the store; ignored by InsertRecords
};

// One person as a whole-population pass reads them (policy simulation): either the
// person's digest (domain/person_digest.hpp: what the ledger reads, kept up to date beside
// the rows) or, for a person whose digest is not yet refreshed, the rows themselves:
// registrations and permits (every city, by city then date / sequence and version) and
// department records (id and canonical JSON, oldest first).
struct PersonRows {
  std::string citizen_id;
  std::string digest;  // when not empty, the three row lists are empty
  std::vector<domain::Registration> registrations;
  std::vector<domain::Permit> permits;
  std::vector<std::pair<int64_t, std::string>> records;
};

struct PageRequest {
  int limit = 50;
  int offset = 0;
};

// Everything a use case reads or writes, inside one transaction.
// A signed tree head as published: the JWS in `signed_head` carries the same size, time and
// root, signed by the node's issuer key.
struct TreeHead {
  int64_t tree_size = 0;
  int64_t timestamp = 0;  // unix milliseconds
  std::string root_hash;  // 32 bytes
  std::string signed_head;
};

class Tx {
 public:
  virtual ~Tx() = default;

  virtual Status InsertRecords(const std::vector<StoredRecord>& records, int64_t imported_at) = 0;
  virtual Result<domain::RecordBundle> LoadRecords(const std::string& citizen_id) = 0;
  // A person's records exactly as stored (canonical JSON text, with ids), oldest first.
  virtual Result<std::vector<StoredRecord>> StoredRecordsOf(const std::string& citizen_id) = 0;

  virtual Status InsertRegistration(const domain::Registration& r) = 0;
  virtual Result<std::optional<domain::Registration>> FindRegistration(const std::string& id) = 0;
  virtual Result<std::optional<domain::Registration>> LatestRegistration(const std::string& citizen_id,
                                                                         const std::string& city) = 0;
  // Every registration of a person, in any city, by city then date.
  virtual Result<std::vector<domain::Registration>> RegistrationsOf(const std::string& citizen_id) = 0;

  virtual Status InsertApplication(const domain::Application& a) = 0;
  virtual Status UpdateApplication(const domain::Application& a) = 0;
  virtual Result<std::optional<domain::Application>> FindApplication(const std::string& id) = 0;
  virtual Result<std::optional<domain::Application>> PendingApplication(const std::string& citizen_id) = 0;
  // Oldest deadline first.
  virtual Result<std::vector<domain::Application>> ListPendingReview(const std::string& city, PageRequest page) = 0;
  virtual Result<int64_t> CountPendingReview(const std::string& city) = 0;

  virtual Result<uint64_t> NextPermitSequence(const std::string& city) = 0;
  virtual Status InsertPermit(const domain::Permit& p) = 0;
  virtual Status UpdatePermit(const domain::Permit& p) = 0;
  virtual Result<std::optional<domain::Permit>> FindPermit(const std::string& number) = 0;
  // The permit (active or suspended) a person holds in `city`, if any.
  virtual Result<std::optional<domain::Permit>> CurrentPermit(const std::string& citizen_id,
                                                              const std::string& city) = 0;
  // Every version of every permit issued on the person's applications, in any state, by
  // city, sequence and version. (Every permit is issued on an application; replacements keep
  // the sequence of the permit they replace.)
  virtual Result<std::vector<domain::Permit>> PermitsOf(const std::string& citizen_id) = 0;
  // Active permits whose endorsed_until is on or before `day` (they have lapsed).
  virtual Result<std::vector<domain::Permit>> LapsedPermits(const std::string& city, Date day, int limit) = 0;
  // Suspended permits last changed before `before_unix` (candidates for cancellation).
  virtual Result<std::vector<domain::Permit>> SuspendedSince(const std::string& city, int64_t before_unix,
                                                             int limit) = 0;

  // The status list: a fresh index for a permit's new credentials, status changes, and
  // the non-valid entries of one list (indexes [from, to)), for building the token.
  virtual Result<int64_t> AllocateStatusIndex(const std::string& city, const std::string& permit_number,
                                              int64_t now) = 0;
  virtual Status SetCredentialStatus(int64_t idx, domain::CredentialStatus status, int64_t now) = 0;
  virtual Result<std::vector<std::pair<int64_t, domain::CredentialStatus>>> NonValidStatuses(const std::string& city,
                                                                                             int64_t from,
                                                                                             int64_t to) = 0;
  // Bumped by every status change, so a cached signed list knows when it is out of date.
  virtual Result<int64_t> StatusVersion(const std::string& city) = 0;

  virtual Status AppendHistory(const domain::HistoryEntry& e) = 0;
  virtual Result<std::vector<domain::HistoryEntry>> History(const std::string& entity_type,
                                                            const std::string& entity_id) = 0;

  // Every person with a registration, permit or record, one at a time, in the order of their
  // blind index (the same on every pass over a file; not the citizen IDs' order). The rows
  // object is reused between calls. Stops at the first error `fn` returns.
  virtual Status ForEachPerson(const std::function<Status(PersonRows&)>& fn) = 0;

  // Person digests. Every write of a person's registrations, permits or records marks their
  // digest stale in the same transaction; this rebuilds up to `limit` stale digests (in
  // blind-index order) and returns how many it rebuilt: 0 when every digest is current.
  virtual Result<size_t> RefreshPersonDigests(size_t limit) = 0;
  virtual Result<int64_t> StaleDigestCount() = 0;

  // Accounts (by unique user name) and their sessions (by token hash).
  // InsertAccount: kConflict "account.exists" when the user name, or a resident's citizen
  // ID, already has an account. Returns the new id.
  virtual Result<int64_t> InsertAccount(const domain::Account& a) = 0;
  virtual Status UpdateAccount(const domain::Account& a) = 0;
  virtual Result<std::optional<domain::Account>> FindAccount(const std::string& username) = 0;
  virtual Result<std::optional<domain::Account>> FindAccountById(int64_t id) = 0;
  virtual Status InsertSession(const domain::Session& s) = 0;
  virtual Result<std::optional<domain::Session>> FindSession(const std::string& token_hash) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  // Ends every session of an account (password reset, disabling); returns how many.
  virtual Result<int64_t> DeleteSessionsOf(int64_t account_id) = 0;

  // The transparency log. History rows after `after_id` in id order, at most `limit`.
  virtual Result<std::vector<domain::HistoryEntry>> HistoryAfter(int64_t after_id, int64_t limit) = 0;
  // Leaf hashes (32 bytes each) from leaf `first_index` on, in order.
  virtual Status AppendAuditLeaves(int64_t first_index, const std::vector<std::string>& leaf_hashes) = 0;
  virtual Result<std::vector<std::string>> AuditLeaves(int64_t from_index, int64_t limit) = 0;
  virtual Status InsertTreeHead(const TreeHead& head) = 0;
  // Every published head, smallest tree first.
  virtual Result<std::vector<TreeHead>> TreeHeads() = 0;

  // A resident's say over their data (domain/person_rights.hpp). Save inserts or replaces
  // by id; lists are oldest first.
  virtual Status SaveConsent(const domain::Consent& c) = 0;
  virtual Result<std::optional<domain::Consent>> FindConsent(const std::string& id) = 0;
  virtual Result<std::vector<domain::Consent>> ConsentsOf(const std::string& citizen_id) = 0;
  virtual Result<std::vector<domain::Consent>> ConsentsRequestedBy(int64_t requester_id) = 0;
  virtual Status SaveAssist(const domain::Assist& a) = 0;
  virtual Result<std::optional<domain::Assist>> FindAssist(const std::string& id) = 0;
  // Assists for the person, or for whom the person is the confirming guardian.
  virtual Result<std::vector<domain::Assist>> AssistsFor(const std::string& citizen_id) = 0;
  virtual Status SaveCorrection(const domain::Correction& c) = 0;
  virtual Result<std::optional<domain::Correction>> FindCorrection(const std::string& id) = 0;
  virtual Result<std::vector<domain::Correction>> CorrectionsOf(const std::string& citizen_id) = 0;
  // A city's pending corrections, oldest first (at most 500).
  virtual Result<std::vector<domain::Correction>> PendingCorrections(const std::string& city) = 0;
  // Every application of a person, oldest first.
  virtual Result<std::vector<domain::Application>> ApplicationsOf(const std::string& citizen_id) = 0;

  // Services (domain/service_application.hpp). Save inserts or replaces by id; kConflict
  // "service_application.duplicate" when the person already has another open application
  // for the same service.
  virtual Status SaveServiceApplication(const domain::ServiceApplication& a) = 0;
  virtual Result<std::optional<domain::ServiceApplication>> FindServiceApplication(const std::string& id) = 0;
  // Oldest first.
  virtual Result<std::vector<domain::ServiceApplication>> ServiceApplicationsOf(const std::string& citizen_id) = 0;
  // A city's applications waiting for the office (submitted or approved), earliest deadline first.
  virtual Result<std::vector<domain::ServiceApplication>> ServiceApplicationQueue(const std::string& city,
                                                                                  int limit) = 0;
  // A notice for a resident; returns its id. InboxOf: newest first, at most `limit`.
  virtual Result<int64_t> AppendInbox(const domain::InboxItem& item) = 0;
  virtual Result<std::vector<domain::InboxItem>> InboxOf(const std::string& citizen_id, int limit) = 0;
  virtual Status SaveServiceStanding(const domain::ServiceStandingRecord& s) = 0;
  virtual Result<domain::ServiceStandingRecord> FindServiceStanding(const std::string& citizen_id) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Runs `fn` in one write transaction; commits when it returns Ok, rolls back otherwise.
  virtual Status Write(Durability durability, const std::function<Status(Tx&)>& fn) = 0;
  // Runs `fn` against a consistent read snapshot; writes inside fail.
  virtual Status Read(const std::function<Status(Tx&)>& fn) = 0;
};

}  // namespace epermit::store
