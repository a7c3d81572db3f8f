#include "support/test_support.hpp"

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace epermit::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/epermit-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string SourcePoliciesDir() { return EPERMIT_SOURCE_POLICIES_DIR; }

}  // namespace epermit::testing
