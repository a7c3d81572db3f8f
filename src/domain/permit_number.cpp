#include "domain/permit_number.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace epermit::domain {
namespace {

constexpr int kModulus = 36;  // M; the hybrid system also works modulo M + 1 = 37

constexpr size_t kCityDigits = 6;
constexpr size_t kSequenceDigits = 12;
constexpr size_t kVersionDigits = 3;

int AlnumValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

char AlnumChar(int value) { return static_cast<char>(value < 10 ? '0' + value : 'A' + (value - 10)); }

struct Mod3736State {
  int product = kModulus;  // P, the running value carried to the next character
  int sum = 0;             // (P + a) mod M of the last character, 0 read as M
};

// Runs the hybrid recurrence over `chars`; false on a character outside the alphabet.
bool Mod3736Run(std::string_view chars, Mod3736State& state) {
  for (char c : chars) {
    const int value = AlnumValue(c);
    if (value < 0) return false;
    state.sum = (state.product + value) % kModulus;
    if (state.sum == 0) state.sum = kModulus;
    state.product = (state.sum * 2) % (kModulus + 1);
  }
  return true;
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

uint64_t DigitsValue(std::string_view digits) {
  uint64_t value = 0;
  for (char c : digits) value = value * 10 + static_cast<uint64_t>(c - '0');
  return value;
}

std::string Prefix() { return std::string(kCertificateRootCode) + "." + std::string(kResidencePermitTypeCode) + "."; }

std::string WithoutDots(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '.') out.push_back(c);
  }
  return out;
}

Error FormatError() {
  return MakeError(ErrorKind::kInvalidArgument, "permit_number.format",
                   "This is not a residence permit number (expected 1.2.156.3005.2.JZZ01."
                   "<city>.<12-digit sequence>.<3-digit version>.<check character>).",
                   "居住证编号格式不正确（应为1.2.156.3005.2.JZZ01.城市代码.12位序号.3位版本号."
                   "校验码）。");
}

}  // namespace

char Iso7064Mod3736Check(std::string_view chars) {
  Mod3736State state;
  if (!Mod3736Run(chars, state)) return '\0';
  // The check value a makes the next intermediate sum (P + a) mod M equal 1.
  return AlnumChar((kModulus + 1 - state.product) % kModulus);
}

bool Iso7064Mod3736Valid(std::string_view with_check) {
  Mod3736State state;
  return !with_check.empty() && Mod3736Run(with_check, state) && state.sum == 1;
}

std::string FormatPermitNumber(std::string_view city, uint64_t sequence, int version) {
  if (city.size() != kCityDigits || !AllDigits(city) || sequence > kMaxPermitSequence || version < 1 ||
      version > kMaxPermitVersion) {
    return {};
  }
  char fields[32];
  std::snprintf(fields, sizeof fields, "%012llu.%03d", static_cast<unsigned long long>(sequence), version);
  std::string body = Prefix() + std::string(city) + "." + fields;
  const char check = Iso7064Mod3736Check(WithoutDots(body));
  return body + "." + check;
}

Result<PermitNumber> ParsePermitNumber(std::string_view text) {
  const std::string prefix = Prefix();
  const size_t city_at = prefix.size();
  const size_t sequence_at = city_at + kCityDigits + 1;
  const size_t version_at = sequence_at + kSequenceDigits + 1;
  const size_t check_at = version_at + kVersionDigits + 1;
  if (text.size() != check_at + 1) return FormatError();

  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  const std::string_view s = upper;
  const std::string_view city = s.substr(city_at, kCityDigits);
  const std::string_view sequence = s.substr(sequence_at, kSequenceDigits);
  const std::string_view version = s.substr(version_at, kVersionDigits);
  if (s.substr(0, city_at) != prefix || !AllDigits(city) || s[sequence_at - 1] != '.' || !AllDigits(sequence) ||
      s[version_at - 1] != '.' || !AllDigits(version) || version == "000" || s[check_at - 1] != '.' ||
      AlnumValue(s[check_at]) < 0) {
    return FormatError();
  }
  if (!Iso7064Mod3736Valid(WithoutDots(s))) {
    return MakeError(ErrorKind::kInvalidArgument, "permit_number.checksum",
                     "The residence permit number is not valid (its check character does not "
                     "match); please check it for typing errors.",
                     "居住证编号校验码不符，请检查是否输入有误。");
  }
  PermitNumber number;
  number.city = std::string(city);
  number.sequence = DigitsValue(sequence);
  number.version = static_cast<int>(DigitsValue(version));
  number.text = std::move(upper);
  return number;
}

}  // namespace epermit::domain
