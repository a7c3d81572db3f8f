#include "service/field_checks.hpp"

namespace epermit::service {

Status CheckText(const std::string& value, const std::string& field, size_t max, bool required) {
  if (value.empty()) {
    if (!required) return Status::Ok();
    return MakeError(ErrorKind::kInvalidArgument, "field.empty", "'" + field + "' must not be empty.",
                     field + " 不能为空。", field);
  }
  size_t chars = 0;
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      return MakeError(ErrorKind::kInvalidArgument, "field.control_chars",
                       "'" + field + "' contains control characters.", field + " 含有控制字符。", field);
    }
    chars += (c & 0xC0) != 0x80;
  }
  if (chars > max) {
    return MakeError(ErrorKind::kInvalidArgument, "field.too_long",
                     "'" + field + "' is longer than " + std::to_string(max) + " characters.",
                     field + " 超过 " + std::to_string(max) + " 个字符。", field);
  }
  return Status::Ok();
}

Result<domain::CitizenId> CheckCitizenId(const std::string& value, const std::string& field, Date today) {
  auto id = domain::ParseCitizenId(value, today);
  if (!id.ok()) {
    Error e = id.error();
    e.field = field;
    return e;
  }
  return id;
}

Result<std::string> CheckPhone(const std::string& value, const std::string& field) {
  std::string digits = value.rfind("+86", 0) == 0 ? value.substr(3) : value;
  bool ok = digits.size() == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9';
  for (char c : digits) ok = ok && c >= '0' && c <= '9';
  if (!ok) {
    return MakeError(ErrorKind::kInvalidArgument, "phone.format",
                     "'" + field + "' must be a mainland mobile number of 11 digits, e.g. 13800138000.",
                     field + " 必须是11位手机号码，例如 13800138000。", field);
  }
  return digits;
}

}  // namespace epermit::service
