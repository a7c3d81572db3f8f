// What every benchmark binary of bench/ shares: default flags (repetitions, interleaving)
// that any --benchmark_* flag overrides, and a console reporter that keeps each
// repetition's rate so that main() can print same-run ratios of medians.
#pragma once

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace epermit::bench {

// benchmark::Initialize with 5 randomly interleaved repetitions of at least `min_time`
// seconds unless the command line says otherwise. False on an unrecognised argument.
inline bool InitializeWithDefaults(int argc, char** argv, const char* min_time) {
  auto has = [&](const std::string& flag) {
    for (int i = 1; i < argc; ++i) {
      if (std::string(argv[i]).rfind(flag, 0) == 0) return true;
    }
    return false;
  };
  std::vector<std::string> defaults;
  if (!has("--benchmark_repetitions")) defaults.push_back("--benchmark_repetitions=5");
  if (!has("--benchmark_min_time")) defaults.push_back(std::string("--benchmark_min_time=") + min_time);
  if (!has("--benchmark_enable_random_interleaving")) defaults.push_back("--benchmark_enable_random_interleaving=true");
  std::vector<char*> args(argv, argv + argc);
  for (auto& d : defaults) args.push_back(d.data());
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  return !benchmark::ReportUnrecognizedArguments(n, args.data());
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal (run.sh pipes the output through tee).
  RatioReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred || r.real_accumulated_time <= 0) continue;
      // The framework's own rate: for a threaded run it is every thread's items over the wall time.
      auto rate = r.counters.find("items_per_second");
      rates_[r.run_name.function_name].push_back(rate != r.counters.end()
                                                     ? static_cast<double>(rate->second)
                                                     : static_cast<double>(r.iterations) / r.real_accumulated_time);
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Median of the repetitions, 0 when the benchmark did not run.
  double Median(const std::string& name) const {
    auto it = rates_.find(name);
    if (it == rates_.end() || it->second.empty()) return 0;
    std::vector<double> v = it->second;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  // Every repetition's rate, rounded, space-separated.
  std::string All(const std::string& name) const {
    std::string s;
    auto it = rates_.find(name);
    if (it == rates_.end()) return s;
    for (double r : it->second) s += (s.empty() ? "" : " ") + std::to_string(static_cast<long>(r + 0.5));
    return s;
  }

 private:
  std::map<std::string, std::vector<double>> rates_;
};

}  // namespace epermit::bench
