#include "credential/jws.hpp"

#include <sodium.h>

#include <limits>

namespace epermit::credential {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
// Room reserved for a signature: 64 bytes for Ed25519, at most 72 for a DER SM2 signature.
// Only a capacity hint; a longer one would still be appended correctly.
constexpr size_t kMaxSignatureBytesHint = 72;

Error Format(const std::string& what) {
  return MakeError(ErrorKind::kInvalidArgument, "jws.format", "Malformed JWS: " + what, "JWS 格式错误：" + what);
}

}  // namespace

std::string Base64UrlEncode(ByteView bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Result<Bytes> Base64UrlDecode(std::string_view text) {
  Bytes out(text.size() * 3 / 4 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end, kVariant) != 0 ||
      end != text.data() + text.size()) {
    return MakeError(ErrorKind::kInvalidArgument, "base64url.invalid", "Invalid base64url text.",
                     "base64url 编码无效。");
  }
  out.resize(len);
  return out;
}

std::optional<int64_t> Int64Member(const nlohmann::json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  return it->get<int64_t>();
}

Result<std::string> SignJws(const Signer& signer, std::string_view typ, std::string_view payload,
                            const nlohmann::json& extra_header) {
  nlohmann::json header = extra_header;
  header["alg"] = JoseName(signer.alg());
  header["kid"] = signer.kid();
  if (!typ.empty()) header["typ"] = std::string(typ);
  // Built in one string with room for the signature, so the (credential-sized) signing input
  // is neither concatenated from temporaries nor copied again to append the signature.
  const std::string encoded_header = Base64UrlEncode(header.dump());
  std::string out;
  out.reserve(encoded_header.size() + sodium_base64_ENCODED_LEN(payload.size(), kVariant) +
              sodium_base64_ENCODED_LEN(kMaxSignatureBytesHint, kVariant));
  out += encoded_header;
  out += '.';
  out += Base64UrlEncode(payload);
  EPERMIT_ASSIGN_OR_RETURN(Bytes sig, signer.Sign(AsBytes(out)));
  out += '.';
  out += Base64UrlEncode(sig);
  return out;
}

Result<VerifiedJws> VerifyJws(std::string_view compact, const KeyLookup& keys) {
  const size_t a = compact.find('.');
  const size_t b = a == std::string_view::npos ? a : compact.find('.', a + 1);
  if (a == std::string_view::npos || b == std::string_view::npos ||
      compact.find('.', b + 1) != std::string_view::npos) {
    return Format("expected three dot-separated parts");
  }
  auto header_bytes = Base64UrlDecode(compact.substr(0, a));
  auto payload_bytes = Base64UrlDecode(compact.substr(a + 1, b - a - 1));
  auto sig = Base64UrlDecode(compact.substr(b + 1));
  if (!header_bytes.ok() || !payload_bytes.ok() || !sig.ok()) return Format("a part is not base64url");
  VerifiedJws out;
  out.header = nlohmann::json::parse(header_bytes->begin(), header_bytes->end(), nullptr, false);
  if (!out.header.is_object()) return Format("the header is not a JSON object");
  auto alg = out.header.find("alg");
  auto kid = out.header.find("kid");
  if (alg == out.header.end() || !alg->is_string()) return Format("no alg");
  if (kid == out.header.end() || !kid->is_string()) return Format("no kid");
  auto claimed = SigAlgFromJose(alg->get<std::string>());
  if (!claimed.ok()) {
    return MakeError(ErrorKind::kFailedPrecondition, "jws.alg", "The JWS algorithm is not accepted.",
                     "不接受该 JWS 签名算法。", "alg");
  }
  EPERMIT_ASSIGN_OR_RETURN(out.key, keys(kid->get<std::string>()));
  if (out.key.alg != *claimed) {
    return MakeError(ErrorKind::kFailedPrecondition, "jws.alg", "The JWS algorithm does not match the key.",
                     "JWS 签名算法与密钥不符。", "alg");
  }
  EPERMIT_RETURN_IF_ERROR(VerifySignature(out.key, AsBytes(compact.substr(0, b)), *sig));
  out.payload.assign(payload_bytes->begin(), payload_bytes->end());
  return out;
}

}  // namespace epermit::credential
