// Strict UTF-8 checks for text that crosses a trust boundary (QR claims, CBOR text).
#pragma once

#include <string_view>

namespace epermit {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
// Text we decode ends up in JSON and on screens, and a JSON library throws on invalid UTF-8.
bool IsValidUtf8(std::string_view s);

}  // namespace epermit
