// Replacing a small file so that a concurrent reader (a node loading its trust list, a
// second verifier on the same cache) sees the old content or the new, never half.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace epermit::app {

// Writes a temporary file beside `path`, fsyncs it and renames it over `path`.
// Errors: file.write.
Status WriteFileAtomic(const std::string& path, std::string_view text, mode_t mode = 0644);

}  // namespace epermit::app
