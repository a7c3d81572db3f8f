// Base45 (RFC 9285): the text encoding of the QR payload. Its 45 characters are exactly
// the QR alphanumeric set, so a QR code stores base45 text at 5.5 bits a character
// instead of 8 bits a byte, which is what keeps the signed permit within version 15.
#pragma once

#include <string>
#include <string_view>

#include "credential/signer.hpp"

namespace epermit::credential {

// Every two bytes become three characters, a final odd byte two.
std::string Base45Encode(ByteView bytes);

// Strict decoding. kInvalidArgument "base45.invalid" for a character outside the
// alphabet (lower case and whitespace included), a dangling single character, or a
// group whose value overflows (a triplet above 65535, a final pair above 255), so each
// text has at most one decoding and each byte string exactly one encoding.
Result<Bytes> Base45Decode(std::string_view text);

}  // namespace epermit::credential
