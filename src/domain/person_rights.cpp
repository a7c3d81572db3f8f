#include "domain/person_rights.hpp"

#include <array>
#include <utility>

namespace epermit::domain {
namespace {

template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<E, const char*>, N>& names, std::string_view s) {
  for (const auto& [value, name] : names) {
    if (s == name) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
const char* Name(const std::array<std::pair<E, const char*>, N>& names, E e) {
  for (const auto& [value, name] : names) {
    if (value == e) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<ConsentStatus, const char*>, 4> kConsent = {{{ConsentStatus::kRequested, "requested"},
                                                                            {ConsentStatus::kGranted, "granted"},
                                                                            {ConsentStatus::kRefused, "refused"},
                                                                            {ConsentStatus::kRevoked, "revoked"}}};
constexpr std::array<std::pair<AssistStatus, const char*>, 4> kAssist = {
    {{AssistStatus::kAwaitingCode, "awaiting_code"},
     {AssistStatus::kActive, "active"},
     {AssistStatus::kEnded, "ended"},
     {AssistStatus::kFailed, "failed"}}};
constexpr std::array<std::pair<CorrectionStatus, const char*>, 3> kCorrection = {
    {{CorrectionStatus::kPending, "pending"},
     {CorrectionStatus::kAccepted, "accepted"},
     {CorrectionStatus::kRejected, "rejected"}}};

}  // namespace

const char* ToString(ConsentStatus s) { return Name(kConsent, s); }
std::optional<ConsentStatus> ParseConsentStatus(std::string_view s) { return Parse(kConsent, s); }
const char* ToString(AssistStatus s) { return Name(kAssist, s); }
std::optional<AssistStatus> ParseAssistStatus(std::string_view s) { return Parse(kAssist, s); }
const char* ToString(CorrectionStatus s) { return Name(kCorrection, s); }
std::optional<CorrectionStatus> ParseCorrectionStatus(std::string_view s) { return Parse(kCorrection, s); }

}  // namespace epermit::domain
