// tocsin-smsc-sim: an SMPP 3.4 SMSC simulator (see smsc_sim.h).
//
//   tocsin-smsc-sim [--listen HOST:PORT] [--tls-cert F --tls-key F] [--account ID:PASSWORD]...
//                   [--latency-ms N] [--tps N] [--no-dlr] [--dlr-delay-ms N]
//                   [--undeliverable R] [--expired R] [--fail-rate R] [--fail-status N]
//                   [--report jsonl|summary|none] [--summary-interval S] [--seed N]
//                   [--watch-priority N]
//
// The first line on stdout says where it listens: {"event":"listening","port":N,...}. With
// --report jsonl each accepted submit_sm is one JSON line on stdout; a summary line follows at
// exit (SIGINT, SIGTERM or "quit"). Commands on stdin, one per line:
//   mo FROM TO TEXT...   send a message from a phone      drop      close every connection
//   stall SECONDS        stop answering for a while        garbage   send malformed PDUs
//   stats                print the summary now             quit
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "common/base/clock.h"
#include "hardware/sim/smsc_sim.h"

namespace {

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "tocsin-smsc-sim: " << problem << "\n"
            << "usage: tocsin-smsc-sim [--listen HOST:PORT] [--tls-cert F --tls-key F] [--account ID:PASSWORD]\n"
            << "         [--latency-ms N] [--tps N] [--no-dlr] [--dlr-delay-ms N] [--undeliverable R] [--expired R]\n"
            << "         [--fail-rate R] [--fail-status N] [--report jsonl|summary|none] [--summary-interval S]\n";
  std::exit(2);
}

double number(const char* flag, const char* value) {
  char* end = nullptr;
  const double v = std::strtod(value, &end);
  if (!end || *end || v < 0) usage(std::string(flag) + " needs a non-negative number");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tocsin;
  sim::SmscSimConfig config;
  std::string report = "jsonl", certFile, keyFile;
  double summaryInterval = 0;
  int watchPriority = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--listen") {
      const std::string v = value();
      const auto colon = v.rfind(':');
      if (colon == std::string::npos) usage("--listen takes HOST:PORT");
      config.host = v.substr(0, colon);
      config.port = static_cast<int>(number("--listen", v.substr(colon + 1).c_str()));
    } else if (a == "--tls-cert") certFile = value();
    else if (a == "--tls-key") keyFile = value();
    else if (a == "--account") {
      const std::string v = value();
      const auto colon = v.find(':');
      if (colon == std::string::npos) usage("--account takes SYSTEM_ID:PASSWORD");
      config.accounts[v.substr(0, colon)] = v.substr(colon + 1);
    } else if (a == "--latency-ms") config.latency = std::chrono::milliseconds(static_cast<int64_t>(number(a.c_str(), value())));
    else if (a == "--tps") config.tpsPerBind = number(a.c_str(), value());
    else if (a == "--no-dlr") config.receipts = false;
    else if (a == "--dlr-delay-ms") config.receiptDelay = std::chrono::milliseconds(static_cast<int64_t>(number(a.c_str(), value())));
    else if (a == "--undeliverable") config.undeliverableRatio = number(a.c_str(), value());
    else if (a == "--expired") config.expiredRatio = number(a.c_str(), value());
    else if (a == "--fail-rate") config.failRatio = number(a.c_str(), value());
    else if (a == "--fail-status") config.failStatus = static_cast<uint32_t>(number(a.c_str(), value()));
    else if (a == "--report") {
      report = value();
      if (report != "jsonl" && report != "summary" && report != "none") usage("--report is jsonl, summary or none");
    } else if (a == "--summary-interval") summaryInterval = number(a.c_str(), value());
    else if (a == "--watch-priority") watchPriority = static_cast<int>(number(a.c_str(), value()));
    else if (a == "--seed") config.seed = static_cast<uint64_t>(number(a.c_str(), value()));
    else usage("unknown option " + a);
  }
  if (certFile.empty() != keyFile.empty()) usage("--tls-cert and --tls-key go together");
  if (!certFile.empty()) config.tls = net::TlsServerOptions{certFile, keyFile};

  // Signals are taken by sigwait() below, never by a random thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  SystemClock clock;
  sim::SmscSimulator smsc(config, clock);
  if (report == "jsonl") smsc.reportTo(stdout);
  // Latency probes: high-priority submits reported at once, whatever the report mode.
  if (watchPriority >= 0) smsc.watchPriority(watchPriority, stdout);
  if (Status st = smsc.start(); !st.ok()) {
    std::cerr << "tocsin-smsc-sim: " << st.message() << "\n";
    return 1;
  }
  std::printf("{\"event\":\"listening\",\"host\":\"%s\",\"port\":%d,\"tls\":%s}\n", config.host.c_str(), smsc.port(),
              config.tls ? "true" : "false");
  std::fflush(stdout);

  std::thread control([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
      std::istringstream in(line);
      std::string cmd;
      in >> cmd;
      if (cmd == "mo") {
        std::string from, to, text;
        in >> from >> to;
        std::getline(in, text);
        if (!text.empty() && text[0] == ' ') text.erase(0, 1);
        if (!smsc.injectMo(from, to, text)) std::cerr << "tocsin-smsc-sim: no bind can receive the message\n";
      } else if (cmd == "drop") smsc.dropConnections();
      else if (cmd == "stall") {
        double s = 0;
        in >> s;
        smsc.stall(std::chrono::milliseconds(static_cast<int64_t>(s * 1000)));
      } else if (cmd == "garbage") smsc.sendGarbage();
      else if (cmd == "stats") ::kill(::getpid(), SIGUSR1);
      else if (cmd == "quit") {
        ::kill(::getpid(), SIGTERM);
        return;
      } else if (!cmd.empty()) std::cerr << "tocsin-smsc-sim: unknown command '" << cmd << "'\n";
    }
  });
  control.detach();

  std::thread ticker;
  if (summaryInterval > 0) {
    ticker = std::thread([&] {
      Interrupt never;
      while (true) {
        clock.sleepFor(std::chrono::milliseconds(static_cast<int64_t>(summaryInterval * 1000)), never);
        ::kill(::getpid(), SIGUSR1);
      }
    });
    ticker.detach();
  }

  while (true) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGUSR1) {
      if (report != "none") {
        std::printf("%s\n", smsc.summaryJson().c_str());
        std::fflush(stdout);
      }
      continue;
    }
    break;
  }
  smsc.stop();
  if (report != "none") std::printf("%s\n", smsc.summaryJson().c_str());
  std::fflush(stdout);
  std::_Exit(0);  // the control thread may still sit in a read of stdin
}
