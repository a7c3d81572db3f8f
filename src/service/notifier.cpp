#include "service/notifier.hpp"

#include <spdlog/spdlog.h>

namespace epermit::service {

void LogNotifier::Send(const Notice& notice) { spdlog::info("notice kind={} queued for a resident", notice.kind); }

}  // namespace epermit::service
