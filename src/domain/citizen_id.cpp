#include "domain/citizen_id.hpp"

#include <array>

#include "domain/division.hpp"

namespace epermit::domain {
namespace {

constexpr size_t kLength = 18;

// ISO 7064 MOD 11-2 weights for positions 1-17: 2^(18-i) mod 11.
constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

// Indexed by (weighted sum mod 11).
constexpr std::string_view kCheckChars = "10X98765432";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int DigitsValue(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

Error CitizenIdError(std::string code, std::string en, std::string zh) {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), std::move(en), std::move(zh));
}

Error FormatError() {
  return CitizenIdError("citizen_id.format", "A citizen ID number is 17 digits followed by a digit or the letter X.",
                        "公民身份号码由17位数字和1位校验码（数字或字母X）组成。");
}

}  // namespace

char CitizenIdCheckChar(std::string_view first17) {
  if (first17.size() != kWeights.size()) return '\0';
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) {
    if (!IsDigit(first17[i])) return '\0';
    sum += (first17[i] - '0') * kWeights[i];
  }
  return kCheckChars[static_cast<size_t>(sum % 11)];
}

Result<CitizenId> ParseCitizenId(std::string_view text, Date today) {
  if (text.size() != kLength) {
    return CitizenIdError("citizen_id.length", "A citizen ID number has exactly 18 characters.",
                          "公民身份号码应为18位。");
  }
  std::string number(text);
  if (number.back() == 'x') number.back() = 'X';
  const std::string_view first17 = std::string_view(number).substr(0, 17);
  for (char c : first17) {
    if (!IsDigit(c)) {
      return FormatError();
    }
  }
  if (!IsDigit(number.back()) && number.back() != 'X') {
    return FormatError();
  }
  if (CitizenIdCheckChar(first17) != number.back()) {
    return CitizenIdError("citizen_id.checksum",
                          "The citizen ID number is not valid (its check character does not match); please "
                          "check it for typing errors.",
                          "公民身份号码校验码不符，请检查是否输入有误。");
  }

  const int year = DigitsValue(first17.substr(6, 4));
  const int month = DigitsValue(first17.substr(10, 2));
  const int day = DigitsValue(first17.substr(12, 2));
  if (month < 1 || day < 1 || !IsValidDate(year, static_cast<unsigned>(month), static_cast<unsigned>(day))) {
    return CitizenIdError("citizen_id.birth_date", "The birth date in the citizen ID number is not a calendar date.",
                          "公民身份号码中的出生日期不是有效日期。");
  }
  const Date birth = MakeDate(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (birth < MakeDate(1900, 1, 1)) {
    return CitizenIdError("citizen_id.birth_date", "The birth date in the citizen ID number is before 1900.",
                          "公民身份号码中的出生日期早于1900年。");
  }
  if (birth > today) {
    return CitizenIdError("citizen_id.birth_date", "The birth date in the citizen ID number is in the future.",
                          "公民身份号码中的出生日期晚于今天。");
  }

  const std::string division(first17.substr(0, 6));
  if (!DivisionRegistry::Builtin().IsKnownForCitizenId(division)) {
    return CitizenIdError("citizen_id.division",
                          "The citizen ID number starts with an unknown address code (" + division + ").",
                          "公民身份号码的地址码（" + division + "）不是有效的行政区划代码。");
  }

  CitizenId id;
  id.division_code = division;
  id.birth_date = birth;
  id.sex = (number[16] - '0') % 2 == 1 ? CitizenId::Sex::kMale : CitizenId::Sex::kFemale;
  id.number = std::move(number);
  return id;
}

std::string MaskCitizenId(std::string_view number) {
  if (number.size() != kLength) return std::string(number.size(), '*');
  return std::string(number.substr(0, 6)) + "********" + std::string(number.substr(14));
}

}  // namespace epermit::domain
