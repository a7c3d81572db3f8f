// Versioned schema migrations. Each step runs in its own transaction and records
// itself in schema_migrations, so a crash mid-migration leaves the last good version.
#pragma once

#include <string>
#include <vector>

#include "store/sqlite/connection.hpp"

namespace epermit::store::sqlite {

int LatestSchemaVersion();
Result<int> CurrentSchemaVersion(Connection& conn);
// Applies every missing step up to `target` (default: all); returns the versions applied.
// A lower target exists for tests that upgrade a database of an older schema.
Result<std::vector<int>> Migrate(Connection& conn, int64_t now_unix, int target = 0);

}  // namespace epermit::store::sqlite
