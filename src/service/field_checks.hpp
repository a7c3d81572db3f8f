// Semantic checks of user-supplied values shared by the use cases. Each failure is
// an kInvalidArgument Error naming the field, in English and Chinese.
#pragma once

#include <string>

#include "common/date.hpp"
#include "common/result.hpp"
#include "domain/citizen_id.hpp"

namespace epermit::service {

// Upper bounds on free text, in Unicode code points.
inline constexpr size_t kMaxNameChars = 64;
inline constexpr size_t kMaxAddressChars = 200;
inline constexpr size_t kMaxReasonChars = 500;
inline constexpr size_t kMaxShortChars = 100;

// Text fit to store and show: non-empty (when required), at most `max` code points,
// no control characters. Anything else, including '·', quotes, '<' or SQL words, is
// kept verbatim: it is data, never code.
Status CheckText(const std::string& value, const std::string& field, size_t max, bool required = true);

Result<domain::CitizenId> CheckCitizenId(const std::string& value, const std::string& field, Date today);

// A mainland mobile number (11 digits starting 1[3-9]), optionally with +86.
Result<std::string> CheckPhone(const std::string& value, const std::string& field);

}  // namespace epermit::service
