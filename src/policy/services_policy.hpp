// Parsing the [[services]] entries of a policy file into a ServiceCatalogue (internal to
// src/policy; the format is documented in docs/POLICIES.md).
#pragma once

#include <toml++/toml.h>

#include "policy/policy_reader.hpp"
#include "policy/services.hpp"

namespace epermit::policy {

// `services` is the value of the file's `services` key. Every error reads "file:line: message":
// an id used twice or not of [a-z0-9_]{1,40}, a missing name or basis, an unknown category or
// key, a tier without rules, a step deadline outside 1..365 days, a rule the engine refuses.
Result<ServiceCatalogue> ParseServiceCatalogue(const PolicyReader& r, const toml::node& services);

}  // namespace epermit::policy
