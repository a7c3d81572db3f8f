#include "service/node_context.hpp"

#include <sodium.h>

#include <stdexcept>

namespace epermit::service {

IdGenerator::IdGenerator() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string IdGenerator::Next(std::string_view prefix) const {
  unsigned char raw[10];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return std::string(prefix) + hex;
}

}  // namespace epermit::service
