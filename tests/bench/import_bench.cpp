// Benchmark: `tocsinctl contacts import` of a generated CSV file.
//
//   tocsin-bench-import [--rows N] [--tocsinctl PATH] [--json]
//
// Prints its figures, then one line of JSON that scripts/bench collects (only that line with --json).
//
// Generates N realistic rows (French mobile numbers in mixed national and international
// writing, names with accents, zones, languages, a few duplicates), runs the real tocsinctl
// on a fresh store in a temporary directory, and prints rows per second and the importer's
// peak resident memory (from wait4's rusage of the child process).
//
// The machine's speed varies (shared virtual CPUs), so the benchmark also measures, in the
// same run, libphonenumber's single-core rate on the same numbers: the cost that dominates an
// import. The ratio of the two is comparable across runs and machines.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "common/phone/phone.h"

namespace {

std::string generateCsv(size_t rows) {
  static const char* kNames[] = {"Zoé Martin", "Léa Bernard", "Hugo Dubois", "Chloé Thomas", "Louis Robert",
                                 "Emma Richard", "Jules Petit", "Inès Durand", "Noé Leroy", "Lina Moreau"};
  static const char* kLanguages[] = {"fr", "fr", "fr", "en", "it", "pl"};
  std::mt19937_64 rng(42);
  std::string csv = "phone,name,zone,language\n";
  csv.reserve(rows * 48);
  for (size_t i = 0; i < rows; ++i) {
    // Every 50th row repeats an earlier number (merged as a duplicate).
    const uint64_t n = (i % 50 == 49) ? (i - 7) : i;
    // 0610 00 00 00 .. 0629 99 99 99: ranges every libphonenumber release accepts as mobile.
    const unsigned subscriber = static_cast<unsigned>(10'000'000 + (n * 7919) % 20'000'000);
    char phone[32];
    if (n % 3 == 0)
      std::snprintf(phone, sizeof phone, "+33 6 %02u %02u %02u %02u", subscriber / 1000000 % 100,
                    subscriber / 10000 % 100, subscriber / 100 % 100, subscriber % 100);
    else
      std::snprintf(phone, sizeof phone, "06%08u", subscriber);
    csv += phone;
    csv += ',';
    csv += kNames[rng() % 10];
    csv += ",Z";
    csv += std::to_string(rng() % 40);
    csv += ',';
    csv += kLanguages[rng() % 6];
    csv += '\n';
  }
  return csv;
}

std::string selfDirectory() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = 0;
  return std::filesystem::path(buf).parent_path().string();
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 100'000;
  std::string tocsinctl = selfDirectory() + "/tocsinctl";
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc) rows = std::stoul(argv[++i]);
    else if (a == "--tocsinctl" && i + 1 < argc) tocsinctl = argv[++i];
    else if (a == "--json") json = true;
    else {
      std::cerr << "usage: tocsin-bench-import [--rows N] [--tocsinctl PATH] [--json]\n";
      return 2;
    }
  }
  char tmpl[] = "/tmp/tocsin-bench-import-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  const std::string dir = tmpl;
  const std::string csvPath = dir + "/contacts.csv", db = dir + "/tocsin.db";
  {
    std::ofstream out(csvPath);
    out << generateCsv(rows);
  }

  // Baseline: one core normalising the same kind of numbers in-process.
  double baseline = 0;
  {
    const tocsin::PhoneNormalizer phones("FR");
    const std::string sample = generateCsv(20000);
    std::vector<std::string> numbers;
    for (size_t pos = sample.find('\n') + 1; pos < sample.size();) {
      const size_t comma = sample.find(',', pos);
      numbers.push_back(sample.substr(pos, comma - pos));
      pos = sample.find('\n', comma) + 1;
    }
    const auto t0 = std::chrono::steady_clock::now();
    size_t valid = 0;
    for (const auto& n : numbers) valid += phones.normalize(n).ok() ? 1 : 0;
    baseline = static_cast<double>(numbers.size()) /
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (valid != numbers.size()) std::cerr << "warning: generated numbers that do not validate\n";
  }

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, STDOUT_FILENO);
    ::dup2(devnull, STDERR_FILENO);
    ::execl(tocsinctl.c_str(), "tocsinctl", "--db", db.c_str(), "contacts", "import", csvPath.c_str(),
            static_cast<char*>(nullptr));
    std::perror("exec tocsinctl");
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove_all(dir);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "tocsinctl contacts import failed (status " << status << ")\n";
    return 1;
  }
  const double rate = static_cast<double>(rows) / seconds;
  const double rssMb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  if (!json) {
    std::printf("contacts import: %zu rows in %.3f s = %.0f rows/s (target >= 50000), peak RSS %.1f MB\n", rows,
                seconds, rate, rssMb);
    std::printf("  same machine, same moment: libphonenumber alone on one core = %.0f numbers/s; import/that = %.2f\n",
                baseline, rate / baseline);
    std::printf("reproduce: build/bin/tocsin-bench-import --rows %zu\n", rows);
  }
  std::printf("{\"import_rows\": %zu, \"import_seconds\": %.3f, \"import_rows_per_s\": %.0f, "
              "\"import_peak_rss_mb\": %.1f, \"phone_normalize_single_core_per_s\": %.0f, "
              "\"import_vs_single_core_normalize\": %.2f}\n",
              rows, seconds, rate, rssMb, baseline, rate / baseline);
  return 0;
}
