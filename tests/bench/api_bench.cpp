// Status requests per second on the operator API: N keep-alive HTTPS clients (default 50) ask
// GET /v1/alerts/{id} of an alert with recipients in every state, as fast as they can, for a
// few seconds. Clients and server share this machine's cores. Prints requests/s, p50 and p99,
// then one JSON line.
//
//   tocsin-bench-api [--clients 50] [--seconds 10] [--messages 20000]
//
// --hostile: the real tocsin-broadcaster under a hostile network (hostile_bench.cpp).
//
//   tocsin-bench-api --hostile [--idle 1000] [--slow 50] [--seconds 20]
//
// --kiosks N: kiosks signing people up on the real tocsin-broadcaster (kiosk_bench.cpp).
//
//   tocsin-bench-api --kiosks 50 [--seconds 60]
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "broadcaster/api/operator_api.h"
#include "broadcaster/engine/credentials.h"
#include "broadcaster/engine/jobs.h"
#include "tests/support/environment_fixture.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;

int hostileMain(int argc, char** argv);  // hostile_bench.cpp
int kioskMain(int argc, char** argv);    // kiosk_bench.cpp

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--hostile") return hostileMain(argc - 1, argv + 1);
  if (argc > 1 && std::string(argv[1]) == "--kiosks") return kioskMain(argc, argv);
  int clients = 50;
  double seconds = 10;
  int64_t messages = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--clients") clients = std::stoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--messages") messages = std::stoll(argv[i + 1]);
    else {
      std::cerr << "usage: tocsin-bench-api [--clients N] [--seconds S] [--messages M]\n";
      return 2;
    }
  }
  testing::StoreFixture f;
  const auto env = testing::environmentFor(f, {"carrier-a"});
  // One approved alert with messages spread over states and two bearers.
  const engine::JobService jobs(*env->audit, env->policies, f.clock, env->bearers);
  engine::AlertRequest request;
  request.title = "River flood";
  request.texts = {{"en", "Flood: leave the river banks."}};
  request.target.zones = {"RIVERSIDE"};
  request.messageClass = MessageClass::kSevere;
  const JobId job = jobs.draftAlert(*f.store, request, "person:bench-a").value();
  if (!jobs.approve(*f.store, job, "person:bench-b").ok()) return 1;
  f.write([&](StoreTx& tx, AuditRecorder&) {
    for (int64_t i = 1; i <= messages; ++i) {
      NewMessage m;
      m.job = job;
      m.sequence = i;
      m.destination = "+3361200" + std::to_string(1000 + i % 9000);
      m.language = "en";
      m.rank = 5;
      m.at = f.clock.now();
      tx.messages().insert(m);
    }
    tx.messages().countInserted(job, MessageState::kQueued, messages);
    return Status::okStatus();
  });

  api::ApiSettings settings;
  settings.server.host = "127.0.0.1";
  settings.server.port = 0;
  settings.server.maxThreads = clients + 16;
  settings.server.maxConnections = static_cast<size_t>(clients) + 8;
  // Many requests from one address and one token are the point here: no rate limits.
  settings.limits = api::RateLimits{0, 0, 0};
  settings.storeConnections = 8;
  auto server = api::OperatorApi::start(*env, f.clock, settings);
  if (!server.ok()) {
    std::cerr << server.status().toString() << "\n";
    return 1;
  }
  const std::string token = engine::createToken(*f.store, *f.audit, "bench", {"watcher", api::Role::kAuditor, {}, {}, std::nullopt}).value();
  const char* override = std::getenv("TOCSIN_BENCH_PATH");
  const std::string path = override ? override : "/v1/alerts/" + std::to_string(job);

  Poco::Net::initializeSSL();
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "",
                                                           (*server)->certificateFile(),
                                                           Poco::Net::Context::VERIFY_RELAXED, 9, false);
  std::atomic<bool> go{false}, stop{false};
  std::atomic<int64_t> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  std::atomic<int64_t> clientCpuNs{0};  // CPU the clients used, to tell the server's share
  auto threadCpuNs = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  };
  auto processCpuNs = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return (static_cast<int64_t>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000 + u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000;
  };
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Poco::Net::HTTPSClientSession session("127.0.0.1", (*server)->port(), context);
      session.setKeepAlive(true);
      auto& mine = latencies[static_cast<size_t>(c)];
      while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      const int64_t cpuStart = threadCpuNs();
      std::string body;
      while (!stop) {
        const auto t0 = std::chrono::steady_clock::now();
        try {
          Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
          req.setKeepAlive(true);
          req.set("Authorization", "Bearer " + token);
          session.sendRequest(req);
          Poco::Net::HTTPResponse res;
          body.clear();
          Poco::StreamCopier::copyToString(session.receiveResponse(res), body);
          if (res.getStatus() != 200 || (!override && body.find("\"progress\"") == std::string::npos)) ++errors;
        } catch (const Poco::Exception&) {
          ++errors;
          session.reset();
        }
        mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
      clientCpuNs += threadCpuNs() - cpuStart;
    });
  }
  // Connections and TLS handshakes first; then the measured window.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int64_t cpuBefore = processCpuNs();
  go = true;
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const int64_t serverCpuNs = processCpuNs() - cpuBefore - clientCpuNs.load();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * static_cast<double>(all.size())))]; };
  const double rate = static_cast<double>(all.size()) / elapsed;
  std::printf("API status requests: %d keep-alive HTTPS clients, %.1f s, alert with %lld messages\n", clients, elapsed,
              static_cast<long long>(messages));
  std::printf("  %zu requests, %.0f requests/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %lld errors\n", all.size(), rate,
              pct(0.50), pct(0.99), all.empty() ? 0.0 : all.back(), static_cast<long long>(errors.load()));
  const double serverUs = all.empty() ? 0 : static_cast<double>(serverCpuNs) / 1000.0 / static_cast<double>(all.size());
  std::printf("  server CPU %.0f us per request (the rest is the clients on the same cores): %.0f requests/s per server core\n",
              serverUs, serverUs > 0 ? 1e6 / serverUs : 0.0);
  std::printf("  target: at least 10000 requests/s with 50 clients\n");
  std::printf("{\"api_status_requests_per_s\": %.0f, \"api_status_p50_ms\": %.3f, \"api_status_p99_ms\": %.3f, "
              "\"api_status_errors\": %lld, \"api_clients\": %d, \"api_server_cpu_us_per_request\": %.1f}\n",
              rate, pct(0.50), pct(0.99), static_cast<long long>(errors.load()), clients, serverUs);
  (*server)->stop();
  return errors.load() == 0 ? 0 : 1;
}
