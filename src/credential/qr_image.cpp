#include "credential/qr_image.hpp"

#include <png.h>
#include <qrencode.h>
#include <zbar.h>

#include <cstring>
#include <memory>
#include <string>

namespace epermit::credential {
namespace {

using QrPtr = std::unique_ptr<QRcode, decltype(&QRcode_free)>;

Result<QrPtr> Encode(std::string_view text) {
  std::string s(text);
  QRcode* code = QRcode_encodeString(s.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == nullptr) {
    return MakeError(ErrorKind::kInvalidArgument, "qr.encode", "The text does not fit in a QR code.",
                     "内容过长，无法生成二维码。");
  }
  return QrPtr(code, &QRcode_free);
}

bool Dark(const QRcode& q, int x, int y) { return (q.data[y * q.width + x] & 1) != 0; }

void PngWrite(png_structp png, png_bytep data, png_size_t len) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + len);
}
void PngFlush(png_structp) {}

struct PngReader {
  ByteView in;
  size_t pos = 0;
};
void PngRead(png_structp png, png_bytep data, png_size_t len) {
  auto* r = static_cast<PngReader*>(png_get_io_ptr(png));
  if (r->pos + len > r->in.size()) png_error(png, "truncated PNG");
  std::memcpy(data, r->in.data() + r->pos, len);
  r->pos += len;
}

// libpng reports errors by longjmp; keep them off stderr (the caller gets an Error).
void PngSilentError(png_structp png, png_const_charp) { png_longjmp(png, 1); }
void PngSilentWarning(png_structp, png_const_charp) {}

Error ImageError(const std::string& what) {
  return MakeError(ErrorKind::kInvalidArgument, "qr.image", "Cannot read a QR code from the image: " + what,
                   "无法从图片中识别二维码：" + what);
}

}  // namespace

Result<int> QrVersion(std::string_view text) {
  EPERMIT_ASSIGN_OR_RETURN(QrPtr q, Encode(text));
  return q->version;
}

Result<Bytes> RenderQrPng(std::string_view text, const QrRenderOptions& options) {
  EPERMIT_ASSIGN_OR_RETURN(QrPtr q, Encode(text));
  const int modules = q->width + 2 * options.quiet_zone;
  const int size = modules * options.module_pixels;
  Bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, PngSilentError, PngSilentWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (png == nullptr || info == nullptr) {
    png_destroy_write_struct(&png, &info);
    return InternalError("libpng initialisation");
  }
  std::vector<png_byte> row(static_cast<size_t>(size));
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return InternalError("PNG encoding");
  }
  png_set_write_fn(png, &out, PngWrite, PngFlush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(size), static_cast<png_uint_32>(size), 8, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < size; ++y) {
    const int my = y / options.module_pixels - options.quiet_zone;
    for (int x = 0; x < size; ++x) {
      const int mx = x / options.module_pixels - options.quiet_zone;
      const bool inside = mx >= 0 && my >= 0 && mx < q->width && my < q->width;
      row[static_cast<size_t>(x)] = inside && Dark(*q, mx, my) ? 0 : 255;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

Result<std::string> RenderQrSvg(std::string_view text, const QrRenderOptions& options) {
  EPERMIT_ASSIGN_OR_RETURN(QrPtr q, Encode(text));
  const int modules = q->width + 2 * options.quiet_zone;
  std::string path;
  for (int y = 0; y < q->width; ++y) {
    for (int x = 0; x < q->width; ++x) {
      if (Dark(*q, x, y)) {
        path +=
            "M" + std::to_string(x + options.quiet_zone) + "," + std::to_string(y + options.quiet_zone) + "h1v1h-1z";
      }
    }
  }
  const std::string m = std::to_string(modules);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + m + " " + m +
         "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"电子居住证二维码 / e-permit QR code\">"
         "<rect width=\"" +
         m + "\" height=\"" + m + "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

Result<std::string> DecodeQrPng(ByteView png_bytes) {
  if (png_bytes.size() < 8 || png_sig_cmp(png_bytes.data(), 0, 8) != 0) return ImageError("not a PNG file");
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, PngSilentError, PngSilentWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (png == nullptr || info == nullptr) {
    png_destroy_read_struct(&png, &info, nullptr);
    return InternalError("libpng initialisation");
  }
  // Everything with a destructor lives before setjmp: a longjmp must not skip one.
  PngReader reader{png_bytes, 0};
  std::vector<uint8_t> gray;
  std::vector<png_bytep> rows;
  png_uint_32 width = 0, height = 0;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return ImageError("corrupt PNG");
  }
  png_set_read_fn(png, &reader, PngRead);
  png_set_user_limits(png, 8192, 8192);  // refuse absurd dimensions before allocating
  png_read_info(png, info);
  width = png_get_image_width(png, info);
  height = png_get_image_height(png, info);
  // Normalise every PNG flavour to 8-bit grey, the input zbar wants (format "Y800").
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  if ((png_get_color_type(png, info) & PNG_COLOR_MASK_COLOR) != 0) png_set_rgb_to_gray_fixed(png, 1, -1, -1);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != width) {
    png_destroy_read_struct(&png, &info, nullptr);
    return ImageError("unsupported PNG layout");
  }
  gray.resize(static_cast<size_t>(width) * height);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = gray.data() + static_cast<size_t>(y) * width;
  png_read_image(png, rows.data());
  png_destroy_read_struct(&png, &info, nullptr);

  zbar::zbar_image_scanner_t* scanner = zbar::zbar_image_scanner_create();
  zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
  zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
  zbar::zbar_image_t* image = zbar::zbar_image_create();
  zbar::zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
  zbar::zbar_image_set_size(image, width, height);
  zbar::zbar_image_set_data(image, gray.data(), gray.size(), nullptr);
  const int found = zbar::zbar_scan_image(scanner, image);
  std::string text;
  if (found > 0) {
    const zbar::zbar_symbol_t* sym = zbar::zbar_image_first_symbol(image);
    text.assign(zbar::zbar_symbol_get_data(sym), zbar::zbar_symbol_get_data_length(sym));
  }
  zbar::zbar_image_destroy(image);
  zbar::zbar_image_scanner_destroy(scanner);
  if (found <= 0) return ImageError("no QR code found");
  return text;
}

}  // namespace epermit::credential
