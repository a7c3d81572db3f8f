#include "credential/qr_payload.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include "credential/base45.hpp"
#include "credential/qr_image.hpp"

namespace epermit::credential {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

KeyLookup Trusting(const PublicKey& key) {
  return [key](const std::string& kid) -> Result<PublicKey> {
    if (kid == key.kid) return key;
    return MakeError(ErrorKind::kFailedPrecondition, "key.unknown", "Unknown key.", "未知密钥。", "kid");
  };
}

PermitClaims ShanghaiClaims() {
  PermitClaims c;
  c.permit_number = "1.2.156.3005.2.JZZ01.310000.000000000183.001.X";
  c.name = "张伟";
  c.masked_citizen_id = "360426********0071";
  c.city = "310000";
  c.issue_date = "2025-03-14";
  c.endorsed_until = "2026-03-13";
  c.status_index = 183;
  c.status_list_uri = "https://310000.epermit.cn/api/v1/status-lists/1";
  c.iat = 1767225600;  // 2026-01-01T00:00:00Z
  c.exp = 1767312000;  // + 24 h: a phone QR
  c.iss = "https://310000.epermit.cn";
  return c;
}

// Plain zlib at best compression (no preset dictionary), as a third-party encoder writes it.
Bytes PlainZlib(ByteView data) {
  uLongf length = compressBound(static_cast<uLong>(data.size()));
  Bytes out(length);
  EXPECT_EQ(compress2(out.data(), &length, data.data(), static_cast<uLong>(data.size()), Z_BEST_COMPRESSION), Z_OK);
  out.resize(length);
  return out;
}

std::string QrOf(ByteView compressed) { return std::string(kQrPrefix) + Base45Encode(compressed); }

std::string CodeOf(const Result<DecodedQr>& r) { return r.ok() ? "ok" : r.error().code; }

class QrPayloadTest : public ::testing::Test {
 protected:
  std::unique_ptr<Signer> signer_ = GenerateEd25519("310000-2025-ed-0001");
  KeyLookup keys_ = Trusting(signer_->public_key());
};

TEST_F(QrPayloadTest, RoundTrip) {
  const PermitClaims claims = ShanghaiClaims();
  auto text = EncodeQr(*signer_, claims);
  ASSERT_TRUE(text.ok()) << text.error().message_en;
  EXPECT_EQ(text->rfind("JZZ1:", 0), 0u);
  EXPECT_EQ(text->find_first_not_of(kAlphabet), std::string::npos);  // QR alphanumeric mode throughout

  auto decoded = DecodeQr(*text, keys_);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message_en;
  EXPECT_EQ(decoded->claims, claims);
  EXPECT_EQ(decoded->key.kid, signer_->kid());
  EXPECT_EQ(decoded->key.raw, signer_->public_key().raw);
  auto cose = CoseFromQrText(*text);
  ASSERT_TRUE(cose.ok());
  EXPECT_EQ(decoded->cose, *cose);
  EXPECT_EQ(VerifyCoseSign1(decoded->cose, keys_)->payload, *EncodePermitClaims(claims));

  auto peeked = PeekQrClaims(*text);
  ASSERT_TRUE(peeked.ok());
  EXPECT_EQ(*peeked, claims);
}

TEST_F(QrPayloadTest, ClaimsUseTheDocumentedCwtKeysInDeterministicOrder) {
  auto cbor = EncodePermitClaims(ShanghaiClaims());
  ASSERT_TRUE(cbor.ok());
  const Bytes& b = *cbor;
  EXPECT_EQ(b[0], 0xaa);  // a map of 10
  EXPECT_EQ(b[1], 0x01);  // iss first
  const Bytes status = {0x19, 0xff, 0xff, 0xa1, 0x6b, 's', 't', 'a', 't', 'u', 's', '_', 'l', 'i', 's', 't'};
  EXPECT_NE(std::search(b.begin(), b.end(), status.begin(), status.end()), b.end());
  const Bytes permit_number_key = {0x3a, 0x00, 0x01, 0x11, 0x70};  // -70001
  EXPECT_NE(std::search(b.begin(), b.end(), permit_number_key.begin(), permit_number_key.end()), b.end());
  EXPECT_EQ(*EncodePermitClaims(ShanghaiClaims()), b);  // deterministic
}

TEST_F(QrPayloadTest, PresetDictionaryIsPinned) {
  const ByteView dictionary = QrZlibDictionary();
  EXPECT_EQ(dictionary.size(), 263u);
  // Part of the JZZ1 format: other decoders hold a copy, so it must never drift.
  EXPECT_EQ(adler32(1, dictionary.data(), static_cast<uInt>(dictionary.size())), 0x1bd8431bu);
  // What we write announces it (FDICT) ...
  auto text = EncodeQr(*signer_, ShanghaiClaims());
  auto compressed = Base45Decode(std::string_view(*text).substr(kQrPrefix.size()));
  ASSERT_TRUE(compressed.ok());
  EXPECT_EQ((*compressed)[1] & 0x20, 0x20);
  // ... and a plain zlib stream of the same COSE_Sign1 decodes too.
  auto cose = CoseFromQrText(*text);
  auto plain = DecodeQr(QrOf(PlainZlib(*cose)), keys_);
  ASSERT_TRUE(plain.ok()) << plain.error().message_en;
  EXPECT_EQ(plain->claims, ShanghaiClaims());
}

// The longest realistic values: a four-character name, an X check character, a
// million-entry status list index, a long kid, a printed QR living a full year.
TEST_F(QrPayloadTest, LongestRealisticPayloadFitsTheBudget) {
  auto signer = GenerateEd25519("440300-20260101-ab12-x");  // 22 bytes; key_store kids are 20
  size_t longest = 0;
  for (const std::string city : {"310000", "110000", "440300", "650100"}) {
    for (const std::string name : {"欧阳明华", "司马相如", "买买提明"}) {
      PermitClaims c = ShanghaiClaims();
      c.permit_number = "1.2.156.3005.2.JZZ01." + city + ".999999999999.999.X";
      c.name = name;
      c.masked_citizen_id = "650102********999X";
      c.city = city;
      c.issue_date = "2029-12-31";
      c.endorsed_until = "2030-12-31";
      c.status_index = 4294967295;  // the largest 32-bit index
      c.status_list_uri = "https://" + city + ".epermit.cn/api/v1/status-lists/99999";
      c.iss = "https://" + city + ".epermit.cn";
      c.iat = 1893427200;
      c.exp = 1924963199;
      auto text = EncodeQr(*signer, c);
      ASSERT_TRUE(text.ok()) << text.error().message_en;
      EXPECT_LE(text->size(), kQrTextBudget) << city << " " << name << ": " << *text;
      longest = std::max(longest, text->size());
      auto version = QrVersion(*text);
      ASSERT_TRUE(version.ok());
      EXPECT_LE(*version, 15);
    }
  }
  RecordProperty("longest_qr_text", static_cast<int>(longest));
}

TEST_F(QrPayloadTest, WrongPrefix) {
  auto text = *EncodeQr(*signer_, ShanghaiClaims());
  for (const std::string& bad : {std::string(), std::string("JZZ1"), "HC1:" + text.substr(5), "jzz1:" + text.substr(5),
                                 "JZZ2:" + text.substr(5), " " + text, text.substr(5)}) {
    EXPECT_EQ(CodeOf(DecodeQr(bad, keys_)), "qr.prefix") << bad;
    EXPECT_FALSE(PeekQrClaims(bad).ok());
  }
}

TEST_F(QrPayloadTest, InvalidBase45) {
  auto text = *EncodeQr(*signer_, ShanghaiClaims());
  for (const std::string& bad : std::vector<std::string>{text + "\n", text + "=", "JZZ1:abc", "JZZ1:GGW", "JZZ1:A",
                                                         "JZZ1:BB8A", "JZZ1:\xe4\xbd\xa0"}) {
    EXPECT_EQ(CodeOf(DecodeQr(bad, keys_)), "qr.base45") << bad;
  }
  std::string lower = text;
  lower[10] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[10])));
  if (lower != text) {
    EXPECT_EQ(CodeOf(DecodeQr(lower, keys_)), "qr.base45");
  }
}

TEST_F(QrPayloadTest, ZlibBombStopsAtTheCap) {
  const Bytes zeros(1 << 20, 0);  // 1 MiB of zeros compresses to about 1 KiB
  const std::string bomb = QrOf(PlainZlib(zeros));
  ASSERT_LE(bomb.size(), kMaxQrTextLength);
  EXPECT_EQ(CodeOf(DecodeQr(bomb, keys_)), "qr.too_large");
  EXPECT_EQ(PeekQrClaims(bomb).error().code, "qr.too_large");
  EXPECT_EQ(CoseFromQrText(bomb).error().kind, ErrorKind::kPayloadTooLarge);
  // The cap is exact: 4096 bytes inflate (and then fail as COSE), 4097 do not.
  EXPECT_TRUE(CoseFromQrText(QrOf(PlainZlib(Bytes(kMaxInflatedCoseBytes, 0)))).ok());
  EXPECT_EQ(CoseFromQrText(QrOf(PlainZlib(Bytes(kMaxInflatedCoseBytes + 1, 0)))).error().code, "qr.too_large");
  // Text longer than any QR symbol holds is refused before decoding.
  EXPECT_EQ(CodeOf(DecodeQr("JZZ1:" + std::string(kMaxQrTextLength, '0'), keys_)), "qr.too_large");
}

TEST_F(QrPayloadTest, BrokenZlib) {
  auto cose = CoseFromQrText(*EncodeQr(*signer_, ShanghaiClaims()));
  ASSERT_TRUE(cose.ok());
  EXPECT_EQ(CodeOf(DecodeQr(QrOf(*cose), keys_)), "qr.zlib");  // not compressed at all
  Bytes trailing = PlainZlib(*cose);
  trailing.push_back(0);
  EXPECT_EQ(CodeOf(DecodeQr(QrOf(trailing), keys_)), "qr.zlib");
  Bytes short_stream = PlainZlib(*cose);
  short_stream.pop_back();  // Adler-32 cut
  EXPECT_EQ(CodeOf(DecodeQr(QrOf(short_stream), keys_)), "qr.zlib");
  // A stream asking for another preset dictionary.
  z_stream zs{};
  ASSERT_EQ(deflateInit(&zs, Z_BEST_COMPRESSION), Z_OK);
  const Bytes other_dictionary(64, 'x');
  ASSERT_EQ(deflateSetDictionary(&zs, other_dictionary.data(), static_cast<uInt>(other_dictionary.size())), Z_OK);
  Bytes out(1024);
  zs.next_in = cose->data();
  zs.avail_in = static_cast<uInt>(cose->size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - zs.avail_out);
  deflateEnd(&zs);
  EXPECT_EQ(CodeOf(DecodeQr(QrOf(out), keys_)), "qr.zlib");
  EXPECT_EQ(CodeOf(DecodeQr("JZZ1:", keys_)), "qr.zlib");
}

// Each thread keeps one inflate stream and resets it per QR: two QRs in a row must each
// decode to their own claims, and a stream abandoned mid-way (corrupt, truncated, over the
// cap, another dictionary) must not leave state that breaks the next call.
TEST_F(QrPayloadTest, ReusedInflateStreamDecodesInARowAndRecoversFromFailures) {
  PermitClaims other = ShanghaiClaims();
  other.name = "欧阳明华";
  other.status_index = 90210;
  other.status_list_uri = "https://310000.epermit.cn/api/v1/status-lists/7";
  const std::string qr_a = *EncodeQr(*signer_, ShanghaiClaims());
  const std::string qr_b = *EncodeQr(*signer_, other);
  ASSERT_NE(qr_a, qr_b);
  auto expect_decodes = [&](const std::string& qr, const PermitClaims& want) {
    auto decoded = DecodeQr(qr, keys_);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message_en;
    EXPECT_EQ(decoded->claims.name, want.name);
    EXPECT_EQ(decoded->claims.status_index, want.status_index);
    EXPECT_EQ(decoded->claims.status_list_uri, want.status_list_uri);
  };
  expect_decodes(qr_a, ShanghaiClaims());
  expect_decodes(qr_b, other);
  expect_decodes(qr_a, ShanghaiClaims());

  // The dictionary-coded stream of B, cut or corrupted after the dictionary was set.
  const Bytes compressed = *Base45Decode(std::string_view(qr_b).substr(kQrPrefix.size()));
  const Bytes half(compressed.begin(), compressed.begin() + static_cast<std::ptrdiff_t>(compressed.size() / 2));
  Bytes corrupt = compressed;
  corrupt[corrupt.size() / 2] ^= 0xFF;
  const std::string bomb = QrOf(PlainZlib(Bytes(1 << 16, 0)));
  for (const std::string& broken : {QrOf(half), QrOf(corrupt), bomb, QrOf(PlainZlib(Bytes(3, 7))) + "0"}) {
    EXPECT_NE(CodeOf(DecodeQr(broken, keys_)), "ok");
    expect_decodes(qr_a, ShanghaiClaims());
    EXPECT_NE(CodeOf(DecodeQr(broken, keys_)), "ok");
    expect_decodes(qr_b, other);
  }
  // A plain zlib stream (no dictionary) right after dictionary-coded ones, and back.
  const Bytes cose = *CoseFromQrText(qr_a);
  EXPECT_EQ(*CoseFromQrText(QrOf(PlainZlib(cose))), cose);
  expect_decodes(qr_b, other);
}

Bytes NestedArrays(size_t depth) {
  Bytes b(depth, 0x81);  // [[[[...
  b.push_back(0x80);
  return b;
}

TEST_F(QrPayloadTest, CborNestedTenThousandDeepIsACleanError) {
  // As the claims themselves.
  EXPECT_EQ(DecodePermitClaims(NestedArrays(10000)).error().code, "cbor.too_deep");
  // Signed as the payload: 10,000 levels are 10 KB, past the 4 KiB inflate cap, so a QR
  // carrying them stops there ...
  auto signed_nested = SignCoseSign1(*signer_, NestedArrays(10000));
  ASSERT_TRUE(signed_nested.ok());
  const std::string big = QrOf(PlainZlib(*signed_nested));
  EXPECT_EQ(CodeOf(DecodeQr(big, keys_)), "qr.too_large");
  EXPECT_EQ(PeekQrClaims(big).error().code, "qr.too_large");
  // ... and 3,900 levels fit under the cap: the signature holds, the claims decoder refuses.
  auto text = QrTextFromCose(*SignCoseSign1(*signer_, NestedArrays(3900)));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(CodeOf(DecodeQr(*text, keys_)), "cbor.too_deep");
  EXPECT_EQ(PeekQrClaims(*text).error().code, "cbor.too_deep");
  // As the COSE structure itself, with and without the tag.
  auto bare = QrTextFromCose(NestedArrays(3900));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(CodeOf(DecodeQr(*bare, keys_)), "cbor.too_deep");
  Bytes tagged = NestedArrays(3900);
  tagged.insert(tagged.begin(), 0xd2);
  EXPECT_EQ(CodeOf(DecodeQr(*QrTextFromCose(tagged), keys_)), "cbor.too_deep");
}

TEST_F(QrPayloadTest, KeysAndSignatures) {
  // Unknown kid: the lookup's error comes through unchanged.
  auto stranger = GenerateEd25519("440300-2025-ed-0001");
  auto foreign = EncodeQr(*stranger, ShanghaiClaims());
  auto r = DecodeQr(*foreign, keys_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "key.unknown");
  // ... while PeekQrClaims still says what the QR claims, for the error message.
  auto peeked = PeekQrClaims(*foreign);
  ASSERT_TRUE(peeked.ok());
  EXPECT_EQ(peeked->iss, "https://310000.epermit.cn");

  // A key nobody trusts, using a trusted kid.
  auto impostor = GenerateEd25519(signer_->kid());
  EXPECT_EQ(CodeOf(DecodeQr(*EncodeQr(*impostor, ShanghaiClaims()), keys_)), "signature.invalid");

  // The header names SM2 but the trusted key is Ed25519.
  PublicKey sm2 = signer_->public_key();
  sm2.alg = SigAlg::kSm2Sm3;
  EXPECT_EQ(CodeOf(DecodeQr(*EncodeQr(*signer_, ShanghaiClaims()), Trusting(sm2))), "cose.alg");
}

TEST_F(QrPayloadTest, EveryTruncationIsAnError) {
  const std::string text = *EncodeQr(*signer_, ShanghaiClaims());
  for (size_t n = 0; n < text.size(); ++n) {
    EXPECT_FALSE(DecodeQr(text.substr(0, n), keys_).ok()) << n;
    EXPECT_FALSE(PeekQrClaims(text.substr(0, n)).ok()) << n;
  }
  const Bytes cose = *CoseFromQrText(text);
  for (size_t n = 0; n < cose.size(); ++n) {
    auto truncated = QrTextFromCose(ByteView(cose).first(n));
    ASSERT_TRUE(truncated.ok());
    EXPECT_FALSE(DecodeQr(*truncated, keys_).ok()) << n;
  }
  const Bytes payload = *EncodePermitClaims(ShanghaiClaims());
  for (size_t n = 0; n < payload.size(); ++n) {
    auto cut = SignCoseSign1(*signer_, ByteView(payload).first(n));  // validly signed, cut claims
    EXPECT_EQ(CodeOf(DecodeQr(*QrTextFromCose(*cut), keys_)), "qr.claims") << n;
  }
}

// One flipped bit anywhere in the COSE_Sign1: never accepted with other claims, never a crash.
TEST_F(QrPayloadTest, EveryFlippedBitOfTheCose) {
  const PermitClaims claims = ShanghaiClaims();
  const Bytes cose = *CoseFromQrText(*EncodeQr(*signer_, claims));
  size_t accepted = 0;
  for (size_t bit = 0; bit < cose.size() * 8; ++bit) {
    Bytes flipped = cose;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto text = QrTextFromCose(flipped);
    ASSERT_TRUE(text.ok());
    auto r = DecodeQr(*text, keys_);
    if (r.ok()) {
      ++accepted;
      EXPECT_EQ(r->claims, claims) << "bit " << bit;
    }
    (void)PeekQrClaims(*text);  // untrusted path: must not crash either
  }
  EXPECT_EQ(accepted, 0u);
}

// Every character of the QR text replaced by every other alphabet character.
TEST_F(QrPayloadTest, EveryChangedCharacterOfTheText) {
  const PermitClaims claims = ShanghaiClaims();
  const std::string text = *EncodeQr(*signer_, claims);
  size_t accepted = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    for (char replacement : kAlphabet) {
      if (replacement == text[i]) continue;
      std::string changed = text;
      changed[i] = replacement;
      auto r = DecodeQr(changed, keys_);
      if (r.ok()) {
        ++accepted;
        EXPECT_EQ(r->claims, claims) << "position " << i << " -> " << replacement;
        EXPECT_EQ(r->cose, *CoseFromQrText(text));
      }
      (void)PeekQrClaims(changed);
    }
  }
  // A few changes are accepted, and only with the very same COSE_Sign1: they land in bits
  // zlib ignores (the padding after deflate's last block, the FLEVEL hint in the header).
  // The transport is malleable there; what is signed is not.
  RecordProperty("harmless_changes", static_cast<int>(accepted));
}

// Claims are type-checked after the signature: a signed but malformed claims map is
// still refused. Each case signs its own CBOR.
TEST_F(QrPayloadTest, ClaimTypesAreChecked) {
  auto decode_signed = [&](const Bytes& claims_cbor) {
    return DecodeQr(*QrTextFromCose(*SignCoseSign1(*signer_, claims_cbor)), keys_);
  };
  const PermitClaims c = ShanghaiClaims();
  // The real encoding with one claim swapped for `value`.
  auto with = [&](int64_t key, const std::function<void(CborWriter&)>& value, bool drop = false) {
    CborWriter w;
    w.Map(drop ? 9 : 10);
    auto put = [&](int64_t k, const std::function<void(CborWriter&)>& v) {
      if (k == key && drop) return;
      w.Int(k);
      if (k == key) {
        value(w);
      } else {
        v(w);
      }
    };
    put(kClaimIss, [&](CborWriter& x) { x.Text(c.iss); });
    put(kClaimExp, [&](CborWriter& x) { x.Int(c.exp); });
    put(kClaimIat, [&](CborWriter& x) { x.Int(c.iat); });
    put(kClaimStatus, [&](CborWriter& x) {
      x.Map(1).Text("status_list").Map(2).Text("idx").Uint(c.status_index).Text("uri").Text(c.status_list_uri);
    });
    put(kClaimPermitNumber, [&](CborWriter& x) { x.Text(c.permit_number); });
    put(kClaimName, [&](CborWriter& x) { x.Text(c.name); });
    put(kClaimMaskedCitizenId, [&](CborWriter& x) { x.Text(c.masked_citizen_id); });
    put(kClaimCity, [&](CborWriter& x) { x.Text(c.city); });
    put(kClaimIssueDate, [&](CborWriter& x) { x.Text(c.issue_date); });
    put(kClaimEndorsedUntil, [&](CborWriter& x) { x.Text(c.endorsed_until); });
    return w.Take();
  };
  // The helper reproduces the real encoding.
  ASSERT_EQ(with(kClaimExp, [&](CborWriter& x) { x.Int(c.exp); }), *EncodePermitClaims(c));

  struct Case {
    const char* what;
    Bytes cbor;
  };
  const Case cases[] = {
      {"iss as an integer", with(kClaimIss, [](CborWriter& x) { x.Int(1); })},
      {"exp as text", with(kClaimExp, [](CborWriter& x) { x.Text("1767312000"); })},
      {"iat beyond int64", with(kClaimIat, [](CborWriter& x) { x.Uint(uint64_t{1} << 63); })},
      {"name as bytes", with(kClaimName, [](CborWriter& x) { x.ByteString(AsBytes("张伟")); })},
      {"name invalid UTF-8", with(kClaimName, [](CborWriter& x) { x.Text("\xe5\xbc"); })},
      {"name empty", with(kClaimName, [](CborWriter& x) { x.Text(""); })},
      {"full citizen ID", with(kClaimMaskedCitizenId, [](CborWriter& x) { x.Text("360426199001010071"); })},
      {"city not a code", with(kClaimCity, [](CborWriter& x) { x.Text("上海"); })},
      {"date shape", with(kClaimIssueDate, [](CborWriter& x) { x.Text("2025/03/14"); })},
      {"impossible date", with(kClaimEndorsedUntil, [](CborWriter& x) { x.Text("2026-02-30"); })},
      {"status not a map", with(kClaimStatus, [](CborWriter& x) { x.Uint(183); })},
      {"negative idx",
       with(kClaimStatus,
            [&](CborWriter& x) {
              x.Map(1).Text("status_list").Map(2).Text("idx").Int(-1).Text("uri").Text(c.status_list_uri);
            })},
      {"no uri", with(kClaimStatus, [](CborWriter& x) { x.Map(1).Text("status_list").Map(1).Text("idx").Uint(1); })},
      {"ftp uri", with(kClaimStatus,
                       [](CborWriter& x) {
                         x.Map(1).Text("status_list").Map(2).Text("idx").Uint(1).Text("uri").Text("ftp://x.cn/1");
                       })},
      {"missing permit number", with(
                                    kClaimPermitNumber, [](CborWriter&) {}, /*drop=*/true)},
      {"missing exp", with(
                          kClaimExp, [](CborWriter&) {}, /*drop=*/true)},
      {"not a map", CborWriter().Array(0).Take()},
      {"empty", Bytes{}},
  };
  for (const auto& test_case : cases) {
    auto r = decode_signed(test_case.cbor);
    ASSERT_FALSE(r.ok()) << test_case.what;
    EXPECT_EQ(r.error().code, "qr.claims") << test_case.what;
    EXPECT_FALSE(r.error().field.empty()) << test_case.what;
  }
  Bytes float_exp = *EncodePermitClaims(c);
  // exp as a float: replace the map's exp value (0x1a + 4 bytes) with a float32 of the same size.
  const Bytes exp_bytes = CborWriter().Int(kClaimExp).Int(c.exp).Take();  // 0x04 0x1a + 4 bytes
  ASSERT_EQ(exp_bytes.size(), 6u);
  auto at = std::search(float_exp.begin(), float_exp.end(), exp_bytes.begin(), exp_bytes.end());
  ASSERT_NE(at, float_exp.end());
  at[1] = 0xfa;
  EXPECT_EQ(CodeOf(decode_signed(float_exp)), "qr.claims");

  // A key twice.
  Bytes twice = *EncodePermitClaims(c);
  twice[0] = 0xab;  // map of 11
  for (uint8_t b : CborWriter().Int(kClaimName).Text("李四").Take()) twice.push_back(b);
  EXPECT_EQ(CodeOf(decode_signed(twice)), "qr.claims");

  // Unknown claims, integer or text keyed, are ignored.
  Bytes extra = *EncodePermitClaims(c);
  extra[0] = 0xac;  // map of 12
  for (uint8_t b : CborWriter().Int(-70099).Text("future").Text("note").Uint(1).Take()) extra.push_back(b);
  auto ok = decode_signed(extra);
  ASSERT_TRUE(ok.ok()) << ok.error().message_en;
  EXPECT_EQ(ok->claims, c);
}

TEST_F(QrPayloadTest, EncodeRefusesBadClaims) {
  auto code = [&](const std::function<void(PermitClaims&)>& change) {
    PermitClaims c = ShanghaiClaims();
    change(c);
    auto r = EncodeQr(*signer_, c);
    return r.ok() ? std::string("ok") : r.error().field;
  };
  EXPECT_EQ(code([](PermitClaims& c) { c.masked_citizen_id = "360426199001010071"; }), "masked_citizen_id");
  EXPECT_EQ(code([](PermitClaims& c) { c.masked_citizen_id = "360426********007"; }), "masked_citizen_id");
  EXPECT_EQ(code([](PermitClaims& c) { c.name = ""; }), "name");
  EXPECT_EQ(code([](PermitClaims& c) { c.name = "\xff"; }), "name");
  EXPECT_EQ(code([](PermitClaims& c) { c.permit_number = "含中文"; }), "permit_number");
  EXPECT_EQ(code([](PermitClaims& c) { c.city = "31000"; }), "city");
  EXPECT_EQ(code([](PermitClaims& c) { c.issue_date = "2025-3-14"; }), "issue_date");
  EXPECT_EQ(code([](PermitClaims& c) { c.status_list_uri = "310000.epermit.cn/1"; }), "status_list_uri");
  EXPECT_EQ(code([](PermitClaims& c) { c.status_list_uri = "https://310000.epermit.cn/a b"; }), "status_list_uri");
  // A development node without TLS (public_url http://127.0.0.1:8080) can still issue.
  EXPECT_EQ(code([](PermitClaims& c) { c.status_list_uri = "http://127.0.0.1:8080/api/v1/status-lists/0"; }), "ok");
  EXPECT_EQ(code([](PermitClaims& c) { c.exp = c.iat - 1; }), "exp");
  EXPECT_EQ(code([](PermitClaims& c) { c.iss = ""; }), "iss");
  EXPECT_EQ(code([](PermitClaims& c) { c.masked_citizen_id = "360426********007X"; }), "ok");
  auto r = EncodeQr(*signer_, PermitClaims{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "qr.claims");
  EXPECT_FALSE(r.error().message_zh.empty());
}

}  // namespace
}  // namespace epermit::credential
