#include "domain/service_application.hpp"

#include <array>

#include "common/enum_names.hpp"

namespace epermit::domain {
namespace {

constexpr std::array<const char*, 5> kStateNames = {"submitted", "needs_materials", "approved", "rejected",
                                                    "completed"};

}  // namespace

const char* ToString(ServiceApplicationState s) { return NameOf(kStateNames, s); }

std::optional<ServiceApplicationState> ParseServiceApplicationState(std::string_view s) {
  return Lookup<ServiceApplicationState>(kStateNames, s);
}

bool IsOpen(ServiceApplicationState s) {
  return s == ServiceApplicationState::kSubmitted || s == ServiceApplicationState::kNeedsMaterials ||
         s == ServiceApplicationState::kApproved;
}

}  // namespace epermit::domain
