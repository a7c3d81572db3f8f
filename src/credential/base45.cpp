#include "credential/base45.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace epermit::credential {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
static_assert(kAlphabet.size() == 45);

// Character → value, kNotInAlphabet for the rest; a table so decoding costs one lookup a
// character on the offline-verification hot path.
constexpr uint8_t kNotInAlphabet = 0xFF;
constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& v : table) {
    v = kNotInAlphabet;
  }
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  }
  return table;
}
constexpr std::array<uint8_t, 256> kDecodeTable = MakeDecodeTable();

Error Invalid(const std::string& what) {
  return MakeError(ErrorKind::kInvalidArgument, "base45.invalid", "Invalid base45 text: " + what,
                   "base45 编码无效：" + what);
}

}  // namespace

std::string Base45Encode(ByteView bytes) {
  std::string out;
  out.reserve(bytes.size() / 2 * 3 + 2);
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) {
    uint32_t n = bytes[i] * 256u + bytes[i + 1];
    out += kAlphabet[n % 45];
    n /= 45;
    out += kAlphabet[n % 45];
    out += kAlphabet[n / 45];
  }
  if (i < bytes.size()) {
    const uint32_t n = bytes[i];
    out += kAlphabet[n % 45];
    out += kAlphabet[n / 45];
  }
  return out;
}

Result<Bytes> Base45Decode(std::string_view text) {
  if (text.size() % 3 == 1) return Invalid("a single character left over");
  Bytes out;
  out.reserve(text.size() / 3 * 2 + 1);
  for (size_t i = 0; i < text.size(); i += 3) {
    const size_t group = std::min<size_t>(3, text.size() - i);
    uint32_t n = 0;
    uint32_t weight = 1;
    for (size_t j = 0; j < group; ++j) {
      const uint8_t v = kDecodeTable[static_cast<uint8_t>(text[i + j])];
      if (v == kNotInAlphabet) return Invalid("character outside the base45 alphabet at " + std::to_string(i + j));
      n += v * weight;
      weight *= 45;
    }
    if (group == 3) {
      if (n > 0xFFFF) return Invalid("group value above 65535 at " + std::to_string(i));
      out.push_back(static_cast<uint8_t>(n >> 8));
      out.push_back(static_cast<uint8_t>(n & 0xFF));
    } else {
      if (n > 0xFF) return Invalid("final pair value above 255");
      out.push_back(static_cast<uint8_t>(n));
    }
  }
  return out;
}

}  // namespace epermit::credential
