#include "service/digest_refresher.hpp"

namespace epermit::service {

Result<size_t> RefreshDigests(store::Store& store, const std::function<bool()>& keep_going) {
  size_t total = 0;
  while (keep_going()) {
    size_t done = 0;
    EPERMIT_RETURN_IF_ERROR(store.Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
      EPERMIT_ASSIGN_OR_RETURN(done, tx.RefreshPersonDigests(kDigestBatch));
      return Status::Ok();
    }));
    total += done;
    if (done < kDigestBatch) break;
  }
  return total;
}

}  // namespace epermit::service
