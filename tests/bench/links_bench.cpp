// The tracked short-link redirect under load: GET /l/CODE on the operator API (HTTPS, keep-alive),
// offered at a fixed rate by paced clients, each click recorded in batches.
//
//   tocsin-bench-api --links [--rate 5000] [--seconds 10] [--clients 32] [--codes 100000]
//
// Prints the achieved rate, p50/p99/max latency and errors, then checks that every click was
// recorded in the store (the correctness check: a click answered but lost fails the run).
// Target: 5,000 requests/s with p99 at most 5 ms.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "broadcaster/api/operator_api.h"
#include "broadcaster/engine/shops.h"
#include "tests/support/environment_fixture.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;

int linksMain(int argc, char** argv) {
  double rate = 5000, seconds = 10;
  int clients = 32;
  int64_t codes = 100000;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--rate") rate = std::stod(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--clients") clients = std::stoi(argv[i + 1]);
    else if (a == "--codes") codes = std::stoll(argv[i + 1]);
    else {
      std::cerr << "usage: tocsin-bench-api --links [--rate R] [--seconds S] [--clients N] [--codes N]\n";
      return 2;
    }
  }
  testing::StoreFixture f;
  const auto env = testing::environmentFor(f, {"carrier-a"});
  // A campaign's links, as the fan-out makes them.
  std::vector<std::string> made;
  made.reserve(static_cast<size_t>(codes));
  f.write([&](StoreTx& tx, AuditRecorder&) {
    for (int64_t i = 0; i < codes; ++i) {
      const std::string code = engine::newLinkCode(8).value();
      tx.shops().insertLink(LinkRecord{code, 1, i + 1, "https://bakery.example/menu?p=" + std::to_string(i % 7), f.clock.now()});
      made.push_back(code);
    }
    return Status::okStatus();
  });

  api::ApiSettings settings;
  settings.server.host = "127.0.0.1";
  settings.server.port = 0;
  settings.server.maxThreads = clients + 16;
  settings.server.maxConnections = static_cast<size_t>(clients) + 8;
  settings.limits = api::RateLimits{0, 0, 0};  // one address, many people: limits are not measured here
  settings.storeConnections = 8;
  SystemClock serverClock;
  auto server = api::OperatorApi::start(*env, serverClock, settings);
  if (!server.ok()) {
    std::cerr << server.status().toString() << "\n";
    return 1;
  }
  Poco::Net::initializeSSL();
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "",
                                                           (*server)->certificateFile(), Poco::Net::Context::VERIFY_RELAXED, 9, false);
  std::atomic<bool> go{false}, stop{false};
  std::atomic<int64_t> errors{0}, sent{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  std::vector<std::thread> threads;
  const auto interval = std::chrono::duration<double>(static_cast<double>(clients) / rate);
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Poco::Net::HTTPSClientSession session("127.0.0.1", (*server)->port(), context);
      session.setKeepAlive(true);
      auto& mine = latencies[static_cast<size_t>(c)];
      uint64_t pick = static_cast<uint64_t>(c) * 7919;
      std::string body;
      while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      // Clients start spread over one interval, then each keeps its own pace (open loop: a slow
      // answer does not lower the offered rate).
      auto next = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval * c / clients);
      while (!stop) {
        std::this_thread::sleep_until(next);
        next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
        pick = pick * 6364136223846793005ULL + 1442695040888963407ULL;
        const std::string& code = made[(pick >> 33) % made.size()];
        const auto t0 = std::chrono::steady_clock::now();
        try {
          Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/l/" + code, Poco::Net::HTTPMessage::HTTP_1_1);
          req.setKeepAlive(true);
          session.sendRequest(req);
          Poco::Net::HTTPResponse res;
          body.clear();
          Poco::StreamCopier::copyToString(session.receiveResponse(res), body);
          if (res.getStatus() != 302 || res.get("Location", "").rfind("https://bakery.example/menu", 0) != 0) ++errors;
          ++sent;
        } catch (const Poco::Exception&) {
          ++errors;
          session.reset();
        }
        mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  go = true;
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  (*server)->stop();  // writes the clicks still buffered
  int64_t recorded = 0;
  (void)f.store->read([&](StoreTx& tx) {
    recorded = tx.shops().clicks(1).clicks;
    return Status::okStatus();
  });
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * static_cast<double>(all.size())))]; };
  const double achieved = static_cast<double>(all.size()) / elapsed;
  std::printf("Short-link redirects: %d keep-alive HTTPS clients offering %.0f requests/s for %.1f s, %lld links\n", clients, rate,
              elapsed, static_cast<long long>(codes));
  std::printf("  %zu requests, %.0f requests/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %lld errors\n", all.size(), achieved,
              pct(0.50), pct(0.99), all.empty() ? 0.0 : all.back(), static_cast<long long>(errors.load()));
  std::printf("  clicks recorded in the store: %lld of %lld answered\n", static_cast<long long>(recorded),
              static_cast<long long>(sent.load()));
  std::printf("  target: 5000 requests/s with p99 at most 5 ms\n");
  std::printf("{\"link_redirects_per_s\": %.0f, \"link_redirect_p50_ms\": %.3f, \"link_redirect_p99_ms\": %.3f, "
              "\"link_redirect_errors\": %lld, \"link_clicks_recorded\": %lld, \"link_clicks_answered\": %lld}\n",
              achieved, pct(0.50), pct(0.99), static_cast<long long>(errors.load()), static_cast<long long>(recorded),
              static_cast<long long>(sent.load()));
  return errors.load() == 0 && recorded == sent.load() ? 0 : 1;
}
