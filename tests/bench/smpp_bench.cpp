// Benchmark: SMPP throughput on loopback against tocsin-smsc-sim (a separate process).
//
//   tocsin-bench-smpp [--messages N] [--window W] [--clients K] [--json]
//
// Prints its figures, then one line of JSON that scripts/bench collects (only that line with --json).
//
// 1. One SmppLink, the bearer the broadcaster uses, sending N messages: submit_sm/s from the
//    first submit to the last acceptance, with and without delivery receipts.
// 2. The simulator's own capacity: K raw clients, each pipelining submit_sm over its own bind.
#include <poll.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "hardware/net/connection.h"
#include "hardware/smpp/codec.h"
#include "hardware/smpp/framing.h"
#include "hardware/smpp/link.h"
#include "tests/support/child_process.h"

using namespace tocsin;
using Steady = std::chrono::steady_clock;

namespace {

std::string selfDir() {
  return std::filesystem::canonical("/proc/self/exe").parent_path().string();
}

struct Counter : BearerListener {
  std::atomic<size_t> done{0}, receipts{0}, failed{0};
  void onAccepted(const std::string&, MessageId, const std::vector<std::string>&, int) override { ++done; }
  void onFailed(const std::string&, MessageId, FailureKind, const std::string&) override {
    ++failed;
    ++done;
  }
  void onReceipt(const std::string&, const Receipt&) override { ++receipts; }
  void onIncoming(const IncomingMessage&) override {}
};

double linkRate(int port, size_t messages, uint32_t window, bool receipts) {
  SystemClock clock;
  smpp::SmppLinkConfig c;
  c.name = "bench";
  c.port = port;
  c.systemId = "bench";
  c.password = "pw";
  c.window = window;
  c.defaultSender = "TOWNHALL";
  c.queueLimit = messages + 1;
  Counter counter;
  smpp::SmppLink link(c, clock);
  link.start(counter);
  if (!link.waitUntilBound(std::chrono::seconds(5))) {
    std::cerr << "bench: cannot bind: " << link.health().detail << "\n";
    std::exit(1);
  }
  OutboundMessage m;
  m.text = "Flood warning for the riverside: leave now, go to the school on Rue Haute.";
  m.wantReceipt = receipts;
  m.priority = 2;
  const auto start = Steady::now();
  for (size_t i = 0; i < messages; ++i) {
    m.id = static_cast<MessageId>(i + 1);
    m.destination = "+336" + std::to_string(10000000 + i % 20000000);
    while (!link.submit(m)) std::this_thread::yield();
  }
  while (counter.done < messages) std::this_thread::sleep_for(std::chrono::microseconds(200));
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  if (receipts)
    while (counter.receipts < messages && std::chrono::duration<double>(Steady::now() - start).count() < 60)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  link.stop(std::chrono::seconds(2));
  if (counter.failed) std::cerr << "bench: " << counter.failed << " messages failed\n";
  return static_cast<double>(messages) / seconds;
}

// A bare client: bind, then keep `window` submit_sm in flight until `messages` are answered.
void rawClient(int port, size_t messages, uint32_t window, std::atomic<size_t>& answered) {
  auto conn = net::Connection::connect("127.0.0.1", port, std::chrono::seconds(5)).value();
  smpp::Pdu bind;
  bind.commandId = smpp::command::kBindTransmitter;
  bind.sequence = 1;
  bind.body = smpp::Bind{"bench", "pw", "", 0x34, {}};
  std::string out = smpp::encode(bind).value();
  smpp::Pdu submit;
  submit.commandId = smpp::command::kSubmitSm;
  smpp::ShortMessage sm;
  sm.source = {5, 0, "TOWNHALL"};
  sm.destination = {1, 1, "33612345678"};
  sm.shortMessage = "Flood warning for the riverside: leave now.";
  submit.body = sm;
  smpp::FrameReader frames;
  size_t sent = 0, done = 0;
  uint32_t seq = 2;
  bool bound = false;
  std::string in;
  while (done < messages) {
    while (bound && sent < messages && sent - done < window) {
      submit.sequence = seq++;
      if (!smpp::encodeInto(submit, out).ok()) return;
      ++sent;
    }
    while (!out.empty()) {
      auto n = conn->writeSome(out);
      if (!n.ok()) return;
      out.erase(0, *n);
      if (*n == 0) break;
    }
    pollfd p{conn->fd(), POLLIN, 0};
    ::poll(&p, 1, 10);
    in.clear();
    if (!conn->readSome(in).ok()) return;
    frames.append(in);
    while (true) {
      auto f = frames.next();
      if (!f.ok() || !*f) break;
      const uint32_t id = static_cast<uint8_t>((**f)[7]) | static_cast<uint8_t>((**f)[6]) << 8;
      if (id == 0x0002) bound = true;
      else if (id == 0x0004) {
        ++done;
        ++answered;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t messages = 200000;
  uint32_t window = 512;
  int clients = 4;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--messages" && i + 1 < argc) messages = std::stoul(argv[++i]);
    else if (a == "--window" && i + 1 < argc) window = static_cast<uint32_t>(std::stoul(argv[++i]));
    else if (a == "--clients" && i + 1 < argc) clients = std::stoi(argv[++i]);
    else if (a == "--json") json = true;
    else {
      std::cerr << "usage: tocsin-bench-smpp [--messages N] [--window W] [--clients K] [--json]\n";
      return 2;
    }
  }
  testing::ChildProcess sim({selfDir() + "/tocsin-smsc-sim", "--listen", "127.0.0.1:0", "--report", "none",
                             "--account", "bench:pw", "--dlr-delay-ms", "0"});
  const auto listening = sim.waitForLine("listening", std::chrono::seconds(10));
  if (!listening) {
    std::cerr << "bench: the simulator did not start\n";
    return 1;
  }
  const int port = std::stoi(listening->substr(listening->find("\"port\":") + 7));

  const double noReceipts = linkRate(port, messages, window, false);
  const double withReceipts = linkRate(port, messages, window, true);

  std::atomic<size_t> answered{0};
  const auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int k = 0; k < clients; ++k)
    threads.emplace_back(rawClient, port, messages / static_cast<size_t>(clients), 1024, std::ref(answered));
  for (auto& t : threads) t.join();
  const double simRate = static_cast<double>(answered) / std::chrono::duration<double>(Steady::now() - start).count();
  sim.stop();

  if (!json) {
    std::printf("one SMPP link, window %u, %zu messages: %.0f submit_sm/s (%.0f/s with delivery receipts)\n", window,
                messages, noReceipts, withReceipts);
    std::printf("tocsin-smsc-sim capacity, %d raw clients: %.0f submit_sm/s\n", clients, simRate);
    std::printf("reproduce: build/bin/tocsin-bench-smpp --messages %zu --window %u --clients %d\n", messages, window,
                clients);
  }
  std::printf("{\"smpp_link_submit_sm_per_s\": %.0f, \"smpp_link_submit_sm_per_s_with_receipts\": %.0f, "
              "\"smsc_sim_submit_sm_per_s\": %.0f}\n",
              noReceipts, withReceipts, simRate);
  return 0;
}
