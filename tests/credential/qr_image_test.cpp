#include "credential/qr_image.hpp"

#include <gtest/gtest.h>

namespace epermit::credential {
namespace {

// A payload of the size the QR budget allows (400 characters of base45 text).
std::string LongPayload() {
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  std::string s = "JZZ1:";
  for (size_t i = 0; s.size() < 400; ++i) s += alphabet[(i * 7) % alphabet.size()];
  return s;
}

TEST(QrImageTest, PngRoundTripsThroughZbar) {
  const std::string text = LongPayload();
  auto png = RenderQrPng(text);
  ASSERT_TRUE(png.ok()) << png.error().message_en;
  auto decoded = DecodeQrPng(*png);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message_en;
  EXPECT_EQ(*decoded, text);
}

TEST(QrImageTest, FourHundredCharactersFitVersion15AtLevelM) {
  auto v = QrVersion(LongPayload());
  ASSERT_TRUE(v.ok());
  EXPECT_LE(*v, 15);
}

TEST(QrImageTest, SvgIsAnAccessibleImage) {
  auto svg = RenderQrSvg("JZZ1:ABC");
  ASSERT_TRUE(svg.ok());
  EXPECT_EQ(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg->find("aria-label"), std::string::npos);
  EXPECT_NE(svg->find("h1v1h-1z"), std::string::npos);
}

TEST(QrImageTest, BadImagesAreClearErrors) {
  EXPECT_EQ(DecodeQrPng(AsBytes("not a png")).error().code, "qr.image");
  auto png = RenderQrPng("JZZ1:ABC");
  ASSERT_TRUE(png.ok());
  Bytes truncated(png->begin(), png->begin() + static_cast<long>(png->size() / 2));
  EXPECT_EQ(DecodeQrPng(truncated).error().code, "qr.image");
}

}  // namespace
}  // namespace epermit::credential
