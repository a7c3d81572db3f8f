#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace epermit::testing {
namespace {

// The whole test run's log, for tests/process/scan_logs.py (run by `make test` after
// ctest): with EPERMIT_TEST_LOG_DIR set (the asan test preset sets it), everything the
// default logger writes, at every level, also goes to a file of its own in that directory.
// The console keeps showing what it showed before. A test that swaps in its own logger to
// read its lines checks those itself (log_privacy_test and others).
class LogFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit LogFileSink(std::string path) : path_(std::move(path)) {}
  ~LogFileSink() override {
    if (file_ != nullptr) std::fclose(file_);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (file_ == nullptr) {  // created with the first line: quiet tests leave no file
      file_ = std::fopen(path_.c_str(), "a");
      if (file_ == nullptr) return;
    }
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);  // a crashing test still leaves what it logged
  }
  void flush_() override {
    if (file_ != nullptr) std::fflush(file_);
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

// "<binary>.<gtest filter>.<pid>.log": ctest runs each test in its own process, with
// --gtest_filter naming it, so a finding points at the test that logged it.
std::string LogFileName() {
  std::string exe = "test";
  std::string filter;
  std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
  std::string arg;
  for (int i = 0; std::getline(cmdline, arg, '\0'); ++i) {
    if (i == 0) exe = std::filesystem::path(arg).filename().string();
    if (arg.rfind("--gtest_filter=", 0) == 0) filter = arg.substr(15);
  }
  std::string name = exe + (filter.empty() ? "" : "." + filter.substr(0, 120));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  return name + "." + std::to_string(::getpid()) + ".log";
}

[[maybe_unused]] const bool kLogTee = [] {
  const char* dir = std::getenv("EPERMIT_TEST_LOG_DIR");
  if (dir == nullptr || *dir == '\0') return false;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // several tests may race to create it
  auto file = std::make_shared<LogFileSink>((std::filesystem::path(dir) / LogFileName()).string());
  file->set_level(spdlog::level::trace);
  auto logger = spdlog::default_logger();
  for (auto& sink : logger->sinks()) sink->set_level(logger->level());  // the console as before
  logger->sinks().push_back(std::move(file));
  logger->set_level(spdlog::level::trace);  // debug and trace lines are scanned too
  return true;
}();

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/epermit-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string SourcePoliciesDir() { return EPERMIT_SOURCE_POLICIES_DIR; }

std::string ReadShippedPolicy(const std::string& relative) {
  std::ifstream in(SourcePoliciesDir() + "/" + relative);
  EXPECT_TRUE(in.good()) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ReplaceOnce(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace epermit::testing
