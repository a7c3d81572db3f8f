#include "auth/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "common/utf8.hpp"

namespace epermit::auth {
namespace {
#include "common_passwords.inc"
#include "common_passwords_local.inc"

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
  return out;
}

const std::unordered_set<std::string>& CommonPasswords() {
  static const std::unordered_set<std::string> kSet = [] {
    std::unordered_set<std::string> set;
    for (std::string_view text : {std::string_view(kCommonPasswords), std::string_view(kCommonPasswordsLocal)}) {
      size_t start = 0;
      while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        if (end > start) set.emplace(Lower(text.substr(start, end - start)));
        start = end + 1;
      }
    }
    return set;
  }();
  return kSet;
}

// Code points of valid UTF-8: every byte that is not a continuation byte starts one.
size_t CodePoints(std::string_view utf8) {
  return static_cast<size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

Error Weak(std::string code, std::string en, std::string zh) {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), std::move(en), std::move(zh), "password");
}

}  // namespace

bool IsCommonPassword(std::string_view password) { return CommonPasswords().count(Lower(password)) > 0; }

Status CheckNewPassword(std::string_view password, std::string_view username) {
  if (!IsValidUtf8(password)) {
    return Weak("password.encoding", "The password must be valid UTF-8 text.", "密码须为有效的 UTF-8 文本。");
  }
  const size_t chars = CodePoints(password);
  if (chars < kMinPasswordChars) {
    return Weak("password.too_short", "The password must be at least 10 characters long.", "密码至少须 10 个字符。");
  }
  if (chars > kMaxPasswordChars) {
    return Weak("password.too_long", "The password must be at most 128 characters long.", "密码最多 128 个字符。");
  }
  if (Lower(password) == Lower(username)) {
    return Weak("password.is_username", "The password must not be the user name.", "密码不得与用户名相同。");
  }
  if (IsCommonPassword(password)) {
    return Weak("password.common", "This password is on the list of commonly used passwords; choose another.",
                "该密码属于常用密码，请另选。");
  }
  return Status::Ok();
}

// Holds one hashing slot for its lifetime.
class PasswordHasher::Slot {
 public:
  explicit Slot(PasswordHasher& h) : h_(h), held_(h.slots_.try_acquire_for(h.wait_)) {}
  ~Slot() {
    if (held_) h_.slots_.release();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  bool held() const { return held_; }

 private:
  PasswordHasher& h_;
  bool held_;
};

namespace {
Error Busy() {
  return MakeError(ErrorKind::kUnavailable, "auth.busy", "Too many sign-ins at once; please try again in a moment.",
                   "同时登录的人数过多，请稍后重试。");
}
}  // namespace

PasswordHasher::PasswordHasher(int max_concurrent, std::chrono::milliseconds wait)
    : slots_(std::clamp(max_concurrent, 1, 16)), wait_(wait) {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
  char out[crypto_pwhash_STRBYTES];
  static constexpr std::string_view kDummy = "epermit-dummy-password";
  if (crypto_pwhash_argon2id_str(out, kDummy.data(), kDummy.size(), crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("argon2id: out of memory");
  }
  dummy_ = out;
}

Result<std::string> PasswordHasher::Hash(std::string_view password) {
  Slot slot(*this);
  if (!slot.held()) return Busy();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != 0) {
    return MakeError(ErrorKind::kUnavailable, "auth.out_of_memory", "The server could not hash the password now.",
                     "服务器暂时无法处理密码。");
  }
  return std::string(out);
}

Result<bool> PasswordHasher::Verify(const std::string& stored, std::string_view password) {
  if (stored.size() >= crypto_pwhash_STRBYTES || stored.rfind("$argon2id$", 0) != 0) return false;
  Slot slot(*this);
  if (!slot.held()) return Busy();
  return crypto_pwhash_argon2id_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

Status PasswordHasher::VerifyDummy(std::string_view password) {
  auto r = Verify(dummy_, password);
  if (!r.ok()) return r.error();
  return Status::Ok();
}

bool PasswordHasher::NeedsRehash(const std::string& stored) {
  return crypto_pwhash_argon2id_str_needs_rehash(stored.c_str(), crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                                 crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != 0;
}

}  // namespace epermit::auth
