// Parsing the [points] table of a policy file into a PointsTable (internal to src/policy;
// the format is documented in docs/POLICIES.md).
#pragma once

#include <toml++/toml.h>

#include "policy/points.hpp"
#include "policy/policy_reader.hpp"

namespace epermit::policy {

// Every error reads "file:line: message": an unknown indicator kind or quantity, a
// parameter the quantity does not take, a negative cap, a group naming an unknown or
// shared member, a cycle, and so on.
Result<PointsTable> ParsePointsTable(const PolicyReader& r, const toml::table& points);

// One [[points.precondition]] table (also a permit-eligibility precondition, city_policy.cpp):
// id, titles, source, optional note, a non-set quantity and exactly one of at_least, at_most,
// equals; any other key is an error. The slot is left for the caller to assign.
Result<Precondition> ParsePrecondition(const PolicyReader& r, const toml::table& t);

// A quantity as written: a catalogue name ("holds_permit") or an inline table with `name`
// and the parameters that quantity accepts.
Result<QuantitySpec> ParseQuantitySpec(const PolicyReader& r, const toml::node& node);

}  // namespace epermit::policy
