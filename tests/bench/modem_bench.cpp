// Benchmark: how well the modem bank keeps its modems busy.
//
//   tocsin-bench-modem [--modems N] [--messages M] [--delay-ms D]
//
// N tocsin-modem-sim processes on ptys, each taking D ms per SMS (a real modem takes about
// 3 s). A perfect scheduler sends N * 1000 / D messages per second; the figure printed is the
// bank's rate and its ratio to that ideal (utilisation), plus the spread of messages over the
// modems. What is left over is the AT round trips Tocsin adds around each AT+CMGS.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "hardware/modem/modem_bank.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

using namespace tocsin;
using Steady = std::chrono::steady_clock;

namespace {

struct Counter : BearerListener {
  std::atomic<size_t> accepted{0}, failed{0};
  void onAccepted(const std::string&, MessageId, const std::vector<std::string>&, int) override { ++accepted; }
  void onFailed(const std::string&, MessageId, FailureKind, const std::string& why) override {
    if (failed++ < 3) std::cerr << "bench: failed: " << why << "\n";
  }
  void onReceipt(const std::string&, const Receipt&) override {}
  void onIncoming(const IncomingMessage&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  size_t modems = 8, messages = 400;
  int delayMs = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--modems") modems = std::stoul(argv[i + 1]);
    else if (a == "--messages") messages = std::stoul(argv[i + 1]);
    else if (a == "--delay-ms") delayMs = std::stoi(argv[i + 1]);
    else {
      std::cerr << "usage: tocsin-bench-modem [--modems N] [--messages M] [--delay-ms D]\n";
      return 2;
    }
  }
  const std::string bin = std::filesystem::canonical("/proc/self/exe").parent_path().string();
  testing::TempDir dir;
  std::vector<std::unique_ptr<testing::ChildProcess>> sims;
  modem::BankConfig config;
  config.name = "bench";
  for (size_t i = 0; i < modems; ++i) {
    const std::string link = dir.file("ttyGSM" + std::to_string(i));
    testing::ChildProcess::Options o;
    o.pipeStdin = true;
    sims.push_back(std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{bin + "/tocsin-modem-sim", "--link", link, "--delay-ms", std::to_string(delayMs)}, o));
    if (!sims.back()->waitForLine("\"ready\"", std::chrono::seconds(10))) {
      std::cerr << "bench: tocsin-modem-sim did not start\n";
      return 1;
    }
    modem::ModemConfig c;
    c.name = "m" + std::to_string(i + 1);
    c.device = link;
    config.modems.push_back(c);
  }
  SystemClock clock;
  Counter counter;
  modem::ModemBank bank(config, clock);
  bank.start(counter);
  if (!bank.waitFor([](const std::vector<modem::ModemView>& v) {
        return std::all_of(v.begin(), v.end(), [](const modem::ModemView& m) { return m.usable; });
      }, std::chrono::seconds(20))) {
    std::cerr << "bench: modems not ready: " << bank.health().detail << "\n";
    return 1;
  }
  OutboundMessage m;
  m.text = "Flood warning for the riverside: leave now, go to the school on Rue Haute.";
  m.wantReceipt = false;
  const auto start = Steady::now();
  for (size_t i = 0; i < messages; ++i) {
    m.id = static_cast<MessageId>(i + 1);
    m.destination = "+336" + std::to_string(10000000 + i);
    bank.submit(m);
  }
  while (counter.accepted + counter.failed < messages) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  const auto views = bank.modems();
  bank.stop(std::chrono::seconds(1));
  for (auto& s : sims) s->stop();
  const double rate = static_cast<double>(counter.accepted) / seconds;
  const double ideal = static_cast<double>(modems) * 1000.0 / delayMs;
  uint64_t least = UINT64_MAX, most = 0;
  for (const auto& v : views) {
    least = std::min(least, v.sent);
    most = std::max(most, v.sent);
  }
  std::printf("modem bank: %zu modems at %d ms per SMS, %zu messages (%zu failed) in %.2f s\n", modems, delayMs,
              messages, counter.failed.load(), seconds);
  std::printf("  rate %.1f msg/s; ideal %.1f msg/s; utilisation %.0f%%\n", rate, ideal, 100.0 * rate / ideal);
  std::printf("  per modem: least %llu, most %llu messages\n", static_cast<unsigned long long>(least),
              static_cast<unsigned long long>(most));
  std::printf("reproduce: build/bin/tocsin-bench-modem --modems %zu --messages %zu --delay-ms %d\n", modems, messages,
              delayMs);
  std::printf("{\"modem_bank_utilisation\": %.3f, \"modem_bank_msgs_per_s\": %.2f, \"modem_bank_modems\": %zu, "
              "\"modem_bank_delay_ms\": %d}\n", rate / ideal, rate, modems, delayMs);
  return counter.failed ? 1 : 0;
}
