// The QR code as a picture: PNG and SVG rendering (libqrencode, libpng) for phones and
// paper permits, and decoding a photographed or saved PNG back to text (zbar).
#pragma once

#include <string>
#include <string_view>

#include "credential/signer.hpp"

namespace epermit::credential {

struct QrRenderOptions {
  int module_pixels = 6;  // pixels per module in the PNG
  int quiet_zone = 4;     // modules of white border (ISO/IEC 18004 asks for 4)
};

// Error-correction level M, as the payload budget assumes (≤ version 15).
Result<Bytes> RenderQrPng(std::string_view text, const QrRenderOptions& options = {});
Result<std::string> RenderQrSvg(std::string_view text, const QrRenderOptions& options = {});
// The QR version libqrencode chose for `text` at level M.
Result<int> QrVersion(std::string_view text);

// Reads the first QR code in a PNG image.
Result<std::string> DecodeQrPng(ByteView png);

}  // namespace epermit::credential
