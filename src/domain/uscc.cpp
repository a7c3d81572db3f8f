#include "domain/uscc.hpp"

#include <array>

namespace epermit::domain {
namespace {

constexpr size_t kLength = 18;

// 3^(i-1) mod 31 for positions 1-17.
constexpr std::array<int, 17> kUsccWeights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

// GB 11714 weights for the 8 body characters of an organisation code.
constexpr std::array<int, 8> kOrgCodeWeights = {3, 7, 9, 10, 5, 8, 4, 2};

// Position of the organisation code inside a USCC (0-based, 9 characters).
constexpr size_t kOrgCodeStart = 8;

int UsccValue(char c) {
  size_t pos = kUsccCharset.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// GB 11714 values: digits 0-9, then A=10 … Z=35 (the full Latin alphabet, unlike USCC).
int OrgCodeValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

char ToUpperAscii(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

Error UsccError(std::string code, std::string en, std::string zh) {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), std::move(en), std::move(zh));
}

}  // namespace

char UsccCheckChar(std::string_view first17) {
  if (first17.size() != kUsccWeights.size()) return '\0';
  int sum = 0;
  for (size_t i = 0; i < kUsccWeights.size(); ++i) {
    int value = UsccValue(first17[i]);
    if (value < 0) return '\0';
    sum += value * kUsccWeights[i];
  }
  return kUsccCharset[static_cast<size_t>((31 - sum % 31) % 31)];
}

char OrgCodeCheckChar(std::string_view first8) {
  if (first8.size() != kOrgCodeWeights.size()) return '\0';
  int sum = 0;
  for (size_t i = 0; i < kOrgCodeWeights.size(); ++i) {
    int value = OrgCodeValue(first8[i]);
    if (value < 0) return '\0';
    sum += value * kOrgCodeWeights[i];
  }
  int check = 11 - sum % 11;
  if (check == 10) return 'X';
  if (check == 11) return '0';
  return static_cast<char>('0' + check);
}

Result<std::string> ParseUscc(std::string_view text) {
  if (text.size() != kLength) {
    return UsccError("uscc.length", "A unified social credit code has exactly 18 characters.",
                     "统一社会信用代码应为18位。");
  }
  std::string code(text);
  for (char& c : code) c = ToUpperAscii(c);
  for (char c : code) {
    if (UsccValue(c) < 0) {
      return UsccError("uscc.charset",
                       "A unified social credit code uses only digits and the capital letters "
                       "A-Y except I, O, S and V.",
                       "统一社会信用代码只能由数字和大写英文字母组成（不使用I、O、Z、S、V）。");
    }
  }
  for (size_t i = 2; i < kOrgCodeStart; ++i) {
    if (code[i] < '0' || code[i] > '9') {
      return UsccError("uscc.charset",
                       "Characters 3 to 8 of a unified social credit code are a division code and "
                       "must be digits.",
                       "统一社会信用代码第3至8位为行政区划码，必须是数字。");
    }
  }
  if (UsccCheckChar(std::string_view(code).substr(0, 17)) != code[17]) {
    return UsccError("uscc.checksum",
                     "The unified social credit code is not valid (its check character does not "
                     "match); please check it for typing errors.",
                     "统一社会信用代码校验码不符，请检查是否输入有误。");
  }
  if (OrgCodeCheckChar(std::string_view(code).substr(kOrgCodeStart, 8)) != code[16]) {
    return UsccError("uscc.org_code_checksum",
                     "The organisation code inside the unified social credit code (characters 9 "
                     "to 17) is not valid.",
                     "统一社会信用代码中的主体标识码（第9至17位）校验不符。");
  }
  return code;
}

}  // namespace epermit::domain
