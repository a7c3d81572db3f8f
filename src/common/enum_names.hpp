// Wire names of an enum kept in one array in enum order: the value's name and the value of a
// name. No project dependencies.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace epermit {

template <typename E, size_t N>
const char* NameOf(const std::array<const char*, N>& names, E v) {
  return names[static_cast<size_t>(v)];
}

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<const char*, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace epermit
