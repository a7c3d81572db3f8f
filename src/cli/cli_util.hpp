// Small things every subcommand file shares: printing an Error the same way everywhere.
#pragma once

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/config.hpp"
#include "common/result.hpp"

namespace epermit::cli {

// "error: <code>: message" in English, then Chinese, on stderr; returns `exit_code`.
inline int PrintError(const Error& e, int exit_code) {
  std::cerr << "error: " << e.code << ": " << e.message_en << "\n";
  if (!e.message_zh.empty() && e.message_zh != e.message_en) std::cerr << "错误：" << e.message_zh << "\n";
  return exit_code;
}

// The configuration from `file` (or defaults when "") with the environment on top.
inline Result<app::Config> Configuration(const std::string& file) {
  std::optional<std::string> path;
  if (!file.empty()) path = file;
  return app::LoadConfig(path, app::ProcessEnv());
}

inline nlohmann::json ErrorJson(const Error& e) {
  return {{"code", e.code}, {"message_en", e.message_en}, {"message_zh", e.message_zh}};
}

}  // namespace epermit::cli
