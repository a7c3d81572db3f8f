// `epermit audit verify`: rebuilds the transparency log from the history rows and checks it
// against the stored leaves, the signed tree heads and the proofs between them. It names
// the first entry that was altered, removed or reordered; a rewrite that also rewrote the
// stored leaves still fails every signed head it touches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "credential/key_store.hpp"
#include "store/store.hpp"

namespace epermit::service {

struct AuditFinding {
  std::string code;    // audit.entry_altered, audit.entry_removed, audit.entry_reordered,
                       // audit.head_signature, audit.head_mismatch, audit.head_inconsistent
  int64_t entry = -1;  // the leaf index (history id - 1) it concerns, or -1
  std::string message_en;
  std::string message_zh;
};

struct AuditReport {
  uint64_t entries = 0;                // history rows read
  uint64_t leaves = 0;                 // stored leaves
  uint64_t heads = 0;                  // signed heads checked
  uint64_t proofs = 0;                 // inclusion and consistency proofs generated and verified
  std::vector<AuditFinding> findings;  // in log order; the first is the first problem
  bool ok() const { return findings.empty(); }
};

Result<AuditReport> VerifyAuditLog(store::Store& store, const credential::KeyStore& keys);

}  // namespace epermit::service
