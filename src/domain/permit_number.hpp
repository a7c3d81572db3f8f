// Residence-permit numbers, shaped as a GB/T 36904-2018 electronic-certificate identifier.
//
// Layout we adopt (46 characters):
//
//   1.2.156.3005.2.JZZ01.<issuer>.<sequence>.<version>.<check>
//   e.g. 1.2.156.3005.2.JZZ01.310000.000000000001.001.F
//
//   1.2.156.3005.2  e-certificate root code
//   JZZ01           certificate-type code of the residence permit (kResidencePermitTypeCode)
//   <issuer>        6-digit GB/T 2260 code of the issuing city (DivisionRegistry::CityOf)
//   <sequence>      12 digits, zero-padded, per issuing city
//   <version>       3 digits, "001" for the first issue; each replacement increments it
//   <check>         ISO/IEC 7064 MOD 37,36 check character ('0'-'9', 'A'-'Z') over all
//                   preceding characters with the dots removed
//
// Confidence C: the text of GB/T 36904-2018 was not available to us, so this field layout
// (and the type code) is our reading of secondary descriptions, not the standard. Keep it
// behind FormatPermitNumber/ParsePermitNumber so it can change in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace epermit::domain {

inline constexpr std::string_view kCertificateRootCode = "1.2.156.3005.2";
inline constexpr std::string_view kResidencePermitTypeCode = "JZZ01";
inline constexpr uint64_t kMaxPermitSequence = 999'999'999'999;  // 12 digits
inline constexpr int kMaxPermitVersion = 999;                    // 3 digits

// ISO/IEC 7064 MOD 37,36 (hybrid system, alphabet 0-9A-Z with values 0-35): the check
// character for `chars`, or '\0' if any character is not a digit or upper-case A-Z.
char Iso7064Mod3736Check(std::string_view chars);

// Whether `with_check` (data followed by its check character) is valid under MOD 37,36.
// False when empty or when any character is not a digit or upper-case A-Z.
bool Iso7064Mod3736Valid(std::string_view with_check);

struct PermitNumber {
  std::string city;       // issuing city, 6 digits
  uint64_t sequence = 0;  // 0 … kMaxPermitSequence
  int version = 1;        // 1 … kMaxPermitVersion
  std::string text;       // the full, normalised number
};

// The permit number for these fields. Callers pass validated values: `city` 6 digits,
// `sequence` <= kMaxPermitSequence, `version` in 1..kMaxPermitVersion; otherwise the
// result is "" (which ParsePermitNumber rejects), never a number that looks valid.
std::string FormatPermitNumber(std::string_view city, uint64_t sequence, int version);

// Parses a permit number. Lower-case letters are accepted and upper-cased; nothing is
// trimmed. Errors (kInvalidArgument, `field` empty): "permit_number.format" (not the
// layout above, including version 000) and "permit_number.checksum" (check character
// mismatch, i.e. a typing error).
Result<PermitNumber> ParsePermitNumber(std::string_view text);

}  // namespace epermit::domain
