// The operator API under a hostile network: the real tocsin-broadcaster, while this process
// holds `--idle` TCP connections that never say anything (spread over loopback addresses
// 127.0.0.2 onwards, 25 to an address, each reopened as soon as the server drops it) and
// `--slow` senders that trickle one byte every half second (half of them a request's headers,
// half a body after valid headers and token). Meanwhile one well-behaved client from 127.0.0.1
// asks GET /health and an authenticated GET /v1/alerts/{id} every 20 ms, one request in ten on
// a fresh TLS connection, and the daemon's resident memory is sampled.
//
// Prints p50/p99/max of the good client's requests, its errors, the daemon's peak RSS and what
// the attackers saw, then one JSON line (api_hostile_p99_ms, api_hostile_rss_mb, ...).
// Targets: p99 at most 50 ms and RSS at most 100 MB with 1000 idle and 50 slow.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_rig.h"
#include "tests/support/raw_sql.h"

using namespace tocsin;
using namespace tocsin::testing;
using Steady = std::chrono::steady_clock;

namespace {

// `count` connections that never send a byte, from 127.0.0.2 onwards, reopened when dropped.
class IdleHolder {
 public:
  IdleHolder(int port, int count) : port_(port), count_(count) {}
  ~IdleHolder() { stop(); }

  void start() { thread_ = std::thread([this] { run(); }); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int open() const { return open_; }
  int64_t reopened() const { return reopened_; }

 private:
  int connectFrom(int index) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(0x7f000002u + static_cast<uint32_t>(index / 25));  // 127.0.0.2 + index/25
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd);
      return -1;
    }
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(static_cast<uint16_t>(port_));
    server.sin_addr.s_addr = htonl(0x7f000001u);
    ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server);  // completes in the background
    return fd;
  }

  void run() {
    const int ep = ::epoll_create1(0);
    std::map<int, int> indexOf;  // fd -> slot
    auto add = [&](int index) {
      const int fd = connectFrom(index);
      if (fd < 0) return;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.fd = fd;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      indexOf[fd] = index;
    };
    for (int i = 0; i < count_; ++i) add(i);
    open_ = static_cast<int>(indexOf.size());
    epoll_event events[256];
    while (!stopping_) {
      const int n = ::epoll_wait(ep, events, 256, 100);
      for (int i = 0; i < n; ++i) {
        // Anything from the server (data, an end) means it dropped us: come back at once.
        const int fd = events[i].data.fd;
        const int index = indexOf[fd];
        ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        indexOf.erase(fd);
        ++reopened_;
        add(index);
      }
      open_ = static_cast<int>(indexOf.size());
    }
    for (const auto& [fd, index] : indexOf) ::close(fd);
    ::close(ep);
  }

  int port_, count_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_{0};
  std::atomic<int64_t> reopened_{0};
  std::thread thread_;
};

// One slow sender: TLS, then a request one byte every half second; reconnects when cut off.
void slowSender(int port, Poco::Net::Context::Ptr context, bool body, const std::string& token, std::atomic<bool>& stop,
                std::atomic<int64_t>& cut) {
  const std::string head = body ? "POST /v1/alerts HTTP/1.1\r\nHost: tocsin\r\nAuthorization: Bearer " + token +
                                      "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                                : std::string();
  const std::string trickle = body ? std::string(100000, ' ') : "GET /health HTTP/1.1\r\nHost: tocsin\r\nX-Padding: " + std::string(100000, 'a');
  while (!stop) {
    try {
      Poco::Net::SecureStreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<uint16_t>(port)), context);
      if (!head.empty()) socket.sendBytes(head.data(), static_cast<int>(head.size()));
      for (size_t i = 0; i < trickle.size() && !stop; ++i) {
        socket.sendBytes(&trickle[i], 1);
        if (socket.poll(Poco::Timespan(0, 500000), Poco::Net::Socket::SELECT_READ)) {
          char b[512];
          if (socket.receiveBytes(b, sizeof b) <= 0) break;  // answered (408) or closed: start again
        }
      }
    } catch (const Poco::Exception&) {
    }
    if (!stop) ++cut;
  }
}

std::string digits(int64_t i) {
  char b[16];
  std::snprintf(b, sizeof b, "+336%08lld", static_cast<long long>(i));
  return b;
}

}  // namespace

int hostileMain(int argc, char** argv) {
  int idle = 1000, slow = 50;
  double seconds = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--idle") idle = std::stoi(argv[i + 1]);
    else if (a == "--slow") slow = std::stoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else {
      std::cerr << "usage: tocsin-bench-api --hostile [--idle N] [--slow N] [--seconds S]\n";
      return 2;
    }
  }
  DaemonRig rig(TOCSIN_BIN_DIR);
  // A town of 1000 and a released test alert to look at.
  {
    std::ofstream csv(rig.dir.file("town.csv"));
    csv << "phone,zone\n";
    for (int i = 0; i < 1000; ++i) csv << digits(1000 + i) << ",CENTRE\n";
  }
  auto must = [](const ToolResult& r, const char* what) {
    if (r.status != 0) {
      std::cerr << what << " failed: " << r.out;
      std::exit(1);
    }
    return r;
  };
  must(rig.tocsinctl({"contacts", "import", rig.dir.file("town.csv")}), "contacts import");
  must(rig.tocsinctl({"person", "add", "olivia"}), "person add");
  const std::string token = rig.token("operator", "olivia-desk", "olivia");
  const ToolResult drafted = must(rig.tocsinctl({"alert", "send", "--title", "Drill", "--text", "en:This is a drill.", "--zone",
                                                 "CENTRE", "--mode", "test"}),
                                  "alert send");
  const std::string job = drafted.out.substr(6, drafted.out.find(' ', 6) - 6);
  rig.startBroadcaster();
  const long rssBefore = rig.rssKb();

  Poco::Net::initializeSSL();
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", rig.ca,
                                                           Poco::Net::Context::VERIFY_RELAXED, 9, false);
  IdleHolder holder(rig.port, idle);
  holder.start();
  std::atomic<bool> stop{false};
  std::atomic<int64_t> cut{0};
  std::vector<std::thread> slowThreads;
  for (int i = 0; i < slow; ++i)
    slowThreads.emplace_back([&, i] { slowSender(rig.port, context, i % 2 == 1, token, stop, cut); });
  // Let the attack settle: every idle connection open and accepted.
  eventually([&] { return holder.open() >= idle; }, std::chrono::seconds(30));
  std::this_thread::sleep_for(std::chrono::seconds(2));

  std::atomic<long> peakRss{0};
  std::thread sampler([&] {
    while (!stop) {
      peakRss = std::max(peakRss.load(), rig.rssKb());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  std::vector<double> latencies;
  int64_t errors = 0;
  std::map<int, int64_t> statuses;
  auto session = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", static_cast<uint16_t>(rig.port), context);
  session->setKeepAlive(true);
  const auto end = Steady::now() + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
  for (int64_t n = 0; Steady::now() < end; ++n) {
    const auto next = Steady::now() + std::chrono::milliseconds(20);
    if (n % 10 == 0) {  // a new client: TCP and TLS from scratch
      session = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", static_cast<uint16_t>(rig.port), context);
      session->setKeepAlive(true);
    }
    const bool health = n % 2 == 0;
    const auto t0 = Steady::now();
    try {
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, health ? "/health" : "/v1/alerts/" + job,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      req.setKeepAlive(true);
      if (!health) req.set("Authorization", "Bearer " + token);
      session->sendRequest(req);
      Poco::Net::HTTPResponse res;
      std::string body;
      Poco::StreamCopier::copyToString(session->receiveResponse(res), body);
      ++statuses[res.getStatus()];
      if (res.getStatus() != 200) ++errors;
    } catch (const Poco::Exception& e) {
      ++errors;
      ++statuses[0];
      session->reset();
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
    std::this_thread::sleep_until(next);
  }
  const int heldAtEnd = holder.open();
  stop = true;
  sampler.join();
  for (auto& t : slowThreads) t.join();
  holder.stop();
  const long hwm = rig.peakRssKb();
  const long peak = std::max(peakRss.load(), hwm);

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * static_cast<double>(latencies.size())))];
  };
  const std::string log = rig.log();
  std::printf("API under attack: %d idle connections (from %d addresses, reopened %lld times), %d slow senders (cut off %lld times)\n",
              idle, (idle + 24) / 25, static_cast<long long>(holder.reopened()), slow, static_cast<long long>(cut.load()));
  std::printf("  a good client from 127.0.0.1, /health and GET /v1/alerts/%s every 20 ms, 1 in 10 on a new TLS connection:\n",
              job.c_str());
  std::printf("  %zu requests, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %lld errors", latencies.size(), pct(0.5), pct(0.99),
              latencies.empty() ? 0.0 : latencies.back(), static_cast<long long>(errors));
  for (const auto& [status, count] : statuses) std::printf(" [%d: %lld]", status, static_cast<long long>(count));
  std::printf("\n  idle connections held at the end: %d of %d\n", heldAtEnd, idle);
  std::printf("  daemon RSS: %.1f MB before the attack, %.1f MB at its peak\n", rssBefore / 1024.0, peak / 1024.0);
  std::printf("  targets: p99 at most 50 ms, RSS at most 100 MB\n");
  std::printf("{\"api_hostile_p99_ms\": %.3f, \"api_hostile_p50_ms\": %.3f, \"api_hostile_rss_mb\": %.1f, \"api_hostile_errors\": %lld, "
              "\"api_hostile_idle\": %d, \"api_hostile_slow\": %d}\n",
              pct(0.99), pct(0.5), peak / 1024.0, static_cast<long long>(errors), idle, slow);
  return 0;
}
