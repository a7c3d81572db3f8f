// Keeps the person digests (domain/person_digest.hpp) current: the store marks a person
// stale when it writes their rows; this rebuilds stale digests in short write transactions,
// so other writers wait at most one batch. Run by the node every
// `maintenance.digest_refresh_seconds` and by `epermit db refresh-digests`.
#pragma once

#include <cstddef>
#include <functional>

#include "common/result.hpp"
#include "store/store.hpp"

namespace epermit::service {

inline constexpr size_t kDigestBatch = 200;  // people per write transaction

// Refreshes batches until no digest is stale or `keep_going` says stop (checked between
// batches); returns how many digests it rebuilt.
Result<size_t> RefreshDigests(
    store::Store& store, const std::function<bool()>& keep_going = [] { return true; });

}  // namespace epermit::service
