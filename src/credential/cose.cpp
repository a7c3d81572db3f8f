#include "credential/cose.hpp"

#include <optional>
#include <vector>

namespace epermit::credential {
namespace {

Error Format(const std::string& what) {
  return MakeError(ErrorKind::kInvalidArgument, "cose.format", "Malformed COSE_Sign1: " + what,
                   "COSE_Sign1 格式错误：" + what);
}

Error AlgError(const std::string& what) {
  return MakeError(ErrorKind::kFailedPrecondition, "cose.alg", "The COSE algorithm is not accepted: " + what,
                   "不接受该 COSE 签名算法：" + what, "alg");
}

constexpr uint8_t kCoseSign1TagHead = 0xd2;  // major type 6, value 18, in the initial byte

struct HeaderState {
  CborKeySet labels;  // of both maps: no label may appear in both
  std::optional<SigAlg> alg;
  std::optional<std::string> kid;
};

// Judges one header parameter (protected or unprotected). Labels we do not know are
// ignored (RFC 9052 §3), except that none may repeat across both maps.
Status ReadHeaderParameter(const CborHead& key, const CborHead& value, bool is_protected, HeaderState* h) {
  if (!key.IsMapKey()) return Format("a header label is neither an integer nor a text string");
  if (!h->labels.Insert(key)) return Format("a header label appears twice");
  auto label = key.Int64();
  if (!label) return Status::Ok();
  if (*label == kCoseHeaderAlg) {
    // An unprotected alg could be swapped by anyone; RFC 9052 §3.1 wants it protected.
    if (!is_protected) return AlgError("alg is outside the protected header");
    auto alg_id = value.Int64();
    if (!alg_id) return AlgError("alg is not an integer algorithm id");
    auto alg = SigAlgFromCose(*alg_id);
    if (!alg.ok()) return AlgError("unsupported algorithm " + std::to_string(*alg_id));
    h->alg = *alg;
  } else if (*label == kCoseHeaderCrit) {
    // We understand no extension, so a critical one must make us refuse.
    return Format("critical header parameters are not supported");
  } else if (*label == kCoseHeaderKid) {
    auto kid = value.ByteString();
    if (!kid) return Format("kid is not a byte string");
    h->kid.emplace(kid->begin(), kid->end());
  }
  return Status::Ok();
}

// The next head of a COSE structure that CheckCbor has passed; an error here means the
// scan and the reader disagree, reported as a format error all the same.
Result<CborHead> NextHead(CborReader* r) {
  auto head = r->Next();
  if (!head.ok()) return Format(head.error().message_en);
  return head;
}

Status SkipHead(CborReader* r, const CborHead& head) {
  if (Status s = r->SkipContent(head); !s.ok()) return Format(s.error().message_en);
  return Status::Ok();
}

// A parameter as read from the unprotected header, judged after the protected header.
struct HeaderParameter {
  CborHead key;
  CborHead value;
};

Status ReadProtectedHeader(ByteView bytes, HeaderState* h) {
  if (Status s = CheckCbor(bytes); !s.ok()) {
    if (s.error().code == "cbor.too_deep") return s;
    return Format("the protected header: " + s.error().message_en);
  }
  CborReader r(bytes);
  EPERMIT_ASSIGN_OR_RETURN(CborHead map, NextHead(&r));
  if (map.type != CborType::kMap) return Format("the protected header is not a map");
  for (uint64_t i = 0; i < map.value; ++i) {
    EPERMIT_ASSIGN_OR_RETURN(CborHead key, NextHead(&r));
    if (!key.IsMapKey()) return Format("a header label is neither an integer nor a text string");
    EPERMIT_ASSIGN_OR_RETURN(CborHead value, NextHead(&r));
    EPERMIT_RETURN_IF_ERROR(SkipHead(&r, value));
    EPERMIT_RETURN_IF_ERROR(ReadHeaderParameter(key, value, /*is_protected=*/true, h));
  }
  return Status::Ok();
}

Bytes CopyBytes(ByteView view) { return Bytes(view.begin(), view.end()); }

// Sig_structure = ["Signature1", body_protected, external_aad = h'', payload].
Bytes SigStructure(ByteView protected_header, ByteView payload) {
  CborWriter w;
  w.Array(4).Text("Signature1").ByteString(protected_header).ByteString({}).ByteString(payload);
  return w.Take();
}

}  // namespace

// ---- COSE_Sign1 ----

Result<Bytes> SignCoseSign1(const Signer& signer, ByteView payload) {
  CborWriter header;
  header.Map(2).Int(kCoseHeaderAlg).Int(CoseAlg(signer.alg())).Int(kCoseHeaderKid).ByteString(AsBytes(signer.kid()));
  const Bytes protected_header = header.Take();
  EPERMIT_ASSIGN_OR_RETURN(Bytes signature, signer.Sign(SigStructure(protected_header, payload)));
  CborWriter w;
  w.Tag(kCoseSign1Tag).Array(4).ByteString(protected_header).Map(0).ByteString(payload).ByteString(signature);
  return w.Take();
}

Result<UnverifiedCoseSign1> ParseCoseSign1(ByteView cose) {
  // libcbor before 0.11 refuses the one-byte tag heads 0xc6..0xd4 (tags 6 to 20, COSE's
  // 16 to 18 among them: PJK/libcbor#307), so the optional tag 18 in its shortest form
  // (0xd2, what every COSE encoder writes) is read here and libcbor gets the rest.
  ByteView body = cose;
  const bool short_tag = !body.empty() && body[0] == kCoseSign1TagHead;
  if (short_tag) body = body.subspan(1);
  if (Status s = CheckCbor(body); !s.ok()) {
    if (s.error().code == "cbor.too_deep") return s.error();
    return Format(s.error().message_en);
  }
  CborReader r(body);
  EPERMIT_ASSIGN_OR_RETURN(CborHead head, NextHead(&r));
  if (head.type == CborType::kTag) {
    // Tag 18 in a longer head (0xd8 0x12) is still tag 18; any other tag, or a second one, is not COSE_Sign1.
    if (short_tag || head.value != kCoseSign1Tag) return Format("the tag is not 18 (COSE_Sign1)");
    EPERMIT_ASSIGN_OR_RETURN(head, NextHead(&r));
  }
  if (head.type != CborType::kArray || head.value != 4) return Format("expected an array of four items");
  EPERMIT_ASSIGN_OR_RETURN(const CborHead protected_head, NextHead(&r));
  auto protected_bytes = protected_head.ByteString();
  if (!protected_bytes) return Format("the protected header is not a byte string");
  EPERMIT_ASSIGN_OR_RETURN(const CborHead unprotected, NextHead(&r));
  if (unprotected.type != CborType::kMap) return Format("the unprotected header is not a map");
  std::vector<HeaderParameter> unprotected_parameters;  // we write none, so this rarely allocates
  for (uint64_t i = 0; i < unprotected.value; ++i) {
    HeaderParameter p;
    EPERMIT_ASSIGN_OR_RETURN(p.key, NextHead(&r));
    EPERMIT_RETURN_IF_ERROR(SkipHead(&r, p.key));
    EPERMIT_ASSIGN_OR_RETURN(p.value, NextHead(&r));
    EPERMIT_RETURN_IF_ERROR(SkipHead(&r, p.value));
    unprotected_parameters.push_back(p);
  }
  EPERMIT_ASSIGN_OR_RETURN(const CborHead payload_head, NextHead(&r));
  auto payload = payload_head.ByteString();
  if (!payload) return Format("the payload is not a byte string (detached payloads are not accepted)");
  EPERMIT_ASSIGN_OR_RETURN(const CborHead signature_head, NextHead(&r));
  auto signature = signature_head.ByteString();
  if (!signature) return Format("the signature is not a byte string");

  // An empty protected bstr means "no protected header" and so no protected alg.
  if (protected_bytes->empty()) return AlgError("no algorithm in the protected header");
  HeaderState h;
  EPERMIT_RETURN_IF_ERROR(ReadProtectedHeader(*protected_bytes, &h));
  for (const HeaderParameter& p : unprotected_parameters) {
    EPERMIT_RETURN_IF_ERROR(ReadHeaderParameter(p.key, p.value, /*is_protected=*/false, &h));
  }
  if (!h.alg) return AlgError("no algorithm in the protected header");
  if (!h.kid) return Format("no kid");

  UnverifiedCoseSign1 out;
  out.protected_header = CopyBytes(*protected_bytes);
  out.alg = *h.alg;
  out.kid = std::move(*h.kid);
  out.payload = CopyBytes(*payload);
  out.signature = CopyBytes(*signature);
  return out;
}

Result<VerifiedCose> VerifyCoseSign1(ByteView cose, const KeyLookup& keys) {
  EPERMIT_ASSIGN_OR_RETURN(UnverifiedCoseSign1 parts, ParseCoseSign1(cose));
  return VerifyCoseSign1(std::move(parts), keys);
}

Result<VerifiedCose> VerifyCoseSign1(UnverifiedCoseSign1 parts, const KeyLookup& keys) {
  EPERMIT_ASSIGN_OR_RETURN(PublicKey key, keys(parts.kid));
  // The key, not the message, decides the algorithm: a header that names another one is
  // refused before any verification is attempted.
  if (key.alg != parts.alg) return AlgError("the header's algorithm does not match the key");
  EPERMIT_RETURN_IF_ERROR(VerifySignature(key, SigStructure(parts.protected_header, parts.payload), parts.signature));
  return VerifiedCose{std::move(parts.payload), std::move(key)};
}

}  // namespace epermit::credential
