// Encryption of personal fields at rest: the cipher itself (issue 5, item 7).
#include "store/field_cipher.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace epermit::store {
namespace {

TEST(FieldCipherTest, SealedFieldsOpenAsTheyWereIncludingEmptyAndBinaryOnes) {
  const DataKey key = GenerateDataKey();
  const FieldCipher cipher(key, {});
  const std::string binary("\0\x01\xff tail", 8);
  const std::string sealed = cipher.Seal("registrations", {"360426199001011236", "", "林晓宇", binary});
  auto opened = cipher.Open("registrations", sealed, 4);
  ASSERT_TRUE(opened.ok()) << opened.error().message_en;
  EXPECT_EQ(*opened, (std::vector<std::string>{"360426199001011236", "", "林晓宇", binary}));
  EXPECT_EQ(sealed.find("林晓宇"), std::string::npos);
  EXPECT_EQ(sealed.find("360426199001011236"), std::string::npos);
}

TEST(FieldCipherTest, EverySealOfTheSameValueDiffers) {
  const FieldCipher cipher(GenerateDataKey(), {});
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(cipher.Seal("permits", {"same"}));
  EXPECT_EQ(seen.size(), 50u);  // a fresh random nonce each time: equal values are not linkable
}

TEST(FieldCipherTest, BlindIndexIsStableForOneKeyAndUnrelatedUnderAnother) {
  const FieldCipher a(GenerateDataKey(), {});
  const FieldCipher b(GenerateDataKey(), {});
  const std::string id = "360426199001011236";
  EXPECT_EQ(a.Index(id), a.Index(id));
  EXPECT_EQ(a.Index(id).size(), 32u);
  EXPECT_NE(a.Index(id), b.Index(id));
  EXPECT_NE(a.Index(id), a.Index("360426199001011244"));
  EXPECT_EQ(a.Index(id).find("3604"), std::string::npos);
  EXPECT_EQ(a.Index(""), "");
}

TEST(FieldCipherTest, AlteredTruncatedOrMovedValuesAreRefused) {
  const FieldCipher cipher(GenerateDataKey(), {});
  const std::string sealed = cipher.Seal("accounts", {"a", "b", "c"});
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto r = cipher.Open("accounts", bad, 3);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    // A flipped byte in the key id names a key the node does not hold; anywhere else the
    // value fails to authenticate.
    EXPECT_TRUE(r.error().code == "store.sealed_corrupt" || r.error().code == "store.sealed_key_unknown")
        << r.error().code;
  }
  EXPECT_EQ(cipher.Open("accounts", sealed.substr(0, sealed.size() - 1), 3).error().code, "store.sealed_corrupt");
  EXPECT_EQ(cipher.Open("accounts", "", 3).error().code, "store.sealed_corrupt");
  EXPECT_EQ(cipher.Open("consents", sealed, 3).error().code, "store.sealed_corrupt");  // another table
  EXPECT_EQ(cipher.Open("accounts", sealed, 2).error().code, "store.sealed_corrupt");  // another shape
}

TEST(FieldCipherTest, ValuesOfAnOlderKeyOpenWhileItIsHeldAndNotAfter) {
  const DataKey old_key = GenerateDataKey();
  const DataKey new_key = GenerateDataKey();
  const std::string sealed = FieldCipher(old_key, {}).Seal("history", {"x"});
  const FieldCipher both(new_key, {old_key});
  EXPECT_EQ(both.key_id(), new_key.id);
  ASSERT_TRUE(both.Open("history", sealed, 1).ok());
  auto refused = FieldCipher(new_key, {}).Open("history", sealed, 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "store.sealed_key_unknown");
  EXPECT_NE(refused.error().message_en.find(old_key.id), std::string::npos);
}

}  // namespace
}  // namespace epermit::store
