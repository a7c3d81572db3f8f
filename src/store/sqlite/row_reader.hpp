// Reading a prepared statement's rows into values, with the statement reset afterwards
// whatever happens, so a cached statement is never left mid-step.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "store/sqlite/connection.hpp"

namespace epermit::store::sqlite {

// Every row through `row_fn` (Statement → T, or → Result<T>, stopping at the first error).
template <typename T, typename RowFn>
Result<std::vector<T>> Rows(Statement& st, RowFn row_fn) {
  std::vector<T> out;
  for (;;) {
    auto row = st.Step();
    if (!row.ok()) {
      st.Reset();
      return row.error();
    }
    if (!*row) break;
    auto value = row_fn(st);
    if constexpr (requires { value.error(); }) {
      if (!value.ok()) {
        st.Reset();
        return value.error();
      }
      out.push_back(std::move(*value));
    } else {
      out.push_back(std::move(value));
    }
  }
  st.Reset();
  return out;
}

// A JSON array of strings kept in a column; anything else reads as empty.
inline std::vector<std::string> JsonStringList(std::string_view text) {
  std::vector<std::string> out;
  const nlohmann::json list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

template <typename T, typename RowFn>
Result<std::optional<T>> FirstRow(Statement& st, RowFn row_fn) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<T> rows, Rows<T>(st, row_fn));
  if (rows.empty()) return std::optional<T>();
  return std::optional<T>(std::move(rows.front()));
}

// A row function that also needs the field cipher.
template <typename Cipher, typename RowFn>
auto With(const Cipher& cipher, RowFn row_fn) {
  return [&cipher, row_fn](const Statement& st) { return row_fn(st, cipher); };
}

}  // namespace epermit::store::sqlite
