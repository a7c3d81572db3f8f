// 公民身份号码 (GB 11643-1999), the 18-character citizen ID number.
//
// Layout: 6-digit address code (GB/T 2260, the code in force when the number was issued,
// so retired codes stay valid) + 8-digit birth date YYYYMMDD + 3-digit sequence (odd =
// male, even = female) + 1 check character (ISO 7064 MOD 11-2, '0'-'9' or 'X').
// First-generation 15-digit numbers are not accepted.
#pragma once

#include <string>
#include <string_view>

#include "common/date.hpp"
#include "common/result.hpp"

namespace epermit::domain {

struct CitizenId {
  enum class Sex { kMale, kFemale };

  std::string number;         // normalised: 18 chars, check character upper-case
  std::string division_code;  // first 6 digits
  Date birth_date;
  Sex sex = Sex::kMale;
};

// Parses and validates a citizen ID number. Nothing is trimmed: surrounding whitespace is
// an error, because silently repairing input hides data-entry bugs upstream. A lower-case
// 'x' check character is accepted and normalised to 'X'.
//
// Checks run in this order and the first failure is reported, so the user sees the most
// basic problem first (a mistyped digit usually breaks the checksum, and then the date or
// division derived from it would be a misleading complaint):
//   1. "citizen_id.length"     not exactly 18 characters (bytes)
//   2. "citizen_id.format"     a non-digit among the first 17, or last not a digit/X/x
//   3. "citizen_id.checksum"   ISO 7064 MOD 11-2 check character mismatch
//   4. "citizen_id.birth_date" not a calendar date, before 1900-01-01, or after `today`
//   5. "citizen_id.division"   address code unknown even as a retired code
//                              (DivisionRegistry::IsKnownForCitizenId)
// All errors are ErrorKind::kInvalidArgument with `field` empty.
Result<CitizenId> ParseCitizenId(std::string_view text, Date today);

// The MOD 11-2 check character ('0'-'9' or 'X') for the first 17 digits of a number,
// for test-data generators; '\0' when `first17` is not exactly 17 digits.
char CitizenIdCheckChar(std::string_view first17);

// "110105********002X": first 6 and last 4 characters, for logs and display. Input that is
// not 18 characters long is fully masked (same length), so a malformed value never leaks.
std::string MaskCitizenId(std::string_view number);

}  // namespace epermit::domain
