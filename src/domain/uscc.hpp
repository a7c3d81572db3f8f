// 统一社会信用代码 (GB 32100-2015), the unified social credit code of an employer.
//
// 18 characters from the 31-character set 0123456789ABCDEFGHJKLMNPQRTUWXY (no I, O, Z,
// S, V; a character's value is its index):
//   1      登记管理部门码 registering department (digit or letter: 9 = market regulation,
//          A, N (agriculture) and Y (other) also exist, so letters are allowed here)
//   2      机构类别码 entity category
//   3-8    登记管理机关行政区划码, a GB/T 2260 code, so always digits
//   9-17   主体标识码 = GB 11714 organisation code: 8 characters + its own check character
//          (weights 3 7 9 10 5 8 4 2, values 0-9 then A=10…Z=35, C9 = 11 − S mod 11,
//          10 → 'X', 11 → '0')
//   18     check character: weights 3^(i−1) mod 31, charset[(31 − S mod 31) mod 31]
// See /work/shared/domain/RULES.md §7.3. Unlike python-stdnum, positions 1-2 may be
// letters: GB 32100's department table includes A, N and Y (e.g. N2… for village
// collective economic organisations).
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace epermit::domain {

// The 31 characters a unified social credit code may contain, in value order.
inline constexpr std::string_view kUsccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Validates a unified social credit code and returns it normalised. Lower-case letters are
// accepted and upper-cased (people copy codes from lower-cased web forms); nothing else
// is repaired, surrounding whitespace included. Checks, first failure reported:
//   1. "uscc.length"             not exactly 18 characters
//   2. "uscc.charset"            a character outside kUsccCharset, or a non-digit in the
//                                division part (positions 3-8)
//   3. "uscc.checksum"           position 18 does not match (catches most typing errors)
//   4. "uscc.org_code_checksum"  the embedded GB 11714 check (position 17 over 9-16)
//                                does not match: a well-typed but malformed code
// All errors are ErrorKind::kInvalidArgument with `field` empty.
Result<std::string> ParseUscc(std::string_view text);

// The check character (position 18) for 17 upper-case charset characters; '\0' when
// `first17` is not 17 charset characters. For test-data generators.
char UsccCheckChar(std::string_view first17);

// The GB 11714 organisation-code check character ('0'-'9' or 'X') for its 8 body
// characters (digits or upper-case A-Z); '\0' when `first8` is not such. For generators.
char OrgCodeCheckChar(std::string_view first8);

}  // namespace epermit::domain
