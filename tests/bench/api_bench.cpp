// Status requests per second on the operator API: N keep-alive HTTPS clients (default 50) ask
// GET /v1/alerts/{id} of an alert with recipients in every state, as fast as they can, for a
// few seconds. Clients and server share this machine's cores. Prints requests/s, p50 and p99,
// then one JSON line.
//
//   tocsin-bench-api [--clients 50] [--seconds 10] [--messages 20000] [--console 10]
//
// --console N: under that load, N people signed in to the console (password and TOTP, through
// the API) poll what its pages poll, each every 100 ms: the session, the dashboard, the alert's
// live view, the zones, and the text counter. Their calls' p50 and p99 are printed apart.
// The server runs on the system clock, so its short caches expire as in production.
//
// --hostile: the real tocsin-broadcaster under a hostile network (hostile_bench.cpp).
//
//   tocsin-bench-api --hostile [--idle 1000] [--slow 50] [--seconds 20]
//
// --links: tracked short-link redirects at a fixed offered rate (links_bench.cpp).
//
//   tocsin-bench-api --links [--rate 5000] [--seconds 10]
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
#include "broadcaster/engine/console_accounts.h"
#include "common/crypto/totp.h"
#include "broadcaster/engine/credentials.h"
#include "broadcaster/engine/jobs.h"
#include "tests/support/environment_fixture.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;

int hostileMain(int argc, char** argv);  // hostile_bench.cpp
int kioskMain(int argc, char** argv);    // kiosk_bench.cpp
int linksMain(int argc, char** argv);    // links_bench.cpp

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--hostile") return hostileMain(argc - 1, argv + 1);
  if (argc > 1 && std::string(argv[1]) == "--kiosks") return kioskMain(argc, argv);
  if (argc > 1 && std::string(argv[1]) == "--links") return linksMain(argc, argv);
  int clients = 50;
  double seconds = 10;
  int64_t messages = 20000;
  int consoles = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--clients") clients = std::stoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--messages") messages = std::stoll(argv[i + 1]);
    else if (a == "--console") consoles = std::stoi(argv[i + 1]);
    else {
      std::cerr << "usage: tocsin-bench-api [--clients N] [--seconds S] [--messages M] [--console N]\n";
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
  settings.server.maxThreads = clients + consoles + 16;
  settings.server.maxConnections = static_cast<size_t>(clients + consoles) + 8;
  // Many requests from one address and one token are the point here: no rate limits.
  settings.limits = api::RateLimits{0, 0, 0};
  settings.storeConnections = 8;
  SystemClock serverClock;
  auto server = api::OperatorApi::start(*env, serverClock, settings);
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
  // People in the console: each signs in (password, then TOTP), then polls what the pages poll.
  std::vector<std::vector<double>> consoleLatencies(static_cast<size_t>(consoles));
  std::atomic<int64_t> consoleErrors{0};
  const engine::ConsoleAccounts accounts(*env->audit, f.clock);
  for (int c = 0; c < consoles; ++c)
    if (!accounts.addUser(*f.store, {"person-" + std::to_string(c), api::Role::kApprover, std::nullopt, "bench password " + std::to_string(c)},
                          "cli:bench").ok())
      return 1;
  for (int c = 0; c < consoles; ++c) {
    threads.emplace_back([&, c] {
      Poco::Net::HTTPSClientSession session("127.0.0.1", (*server)->port(), context);
      session.setKeepAlive(true);
      std::string cookie, csrf;
      auto call = [&](const std::string& method, const std::string& target, const std::string& body, std::string& out) {
        Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        req.setKeepAlive(true);
        if (!cookie.empty()) req.set("Cookie", "tocsin_session=" + cookie);
        if (!csrf.empty()) req.set("X-CSRF-Token", csrf);
        if (!body.empty()) {
          req.setContentType("application/json");
          req.setContentLength(static_cast<std::streamsize>(body.size()));
          session.sendRequest(req) << body;
        } else {
          session.sendRequest(req);
        }
        Poco::Net::HTTPResponse res;
        out.clear();
        Poco::StreamCopier::copyToString(session.receiveResponse(res), out);
        if (res.has("Set-Cookie")) {
          const std::string set = res.get("Set-Cookie");
          cookie = set.substr(set.find('=') + 1, set.find(';') - set.find('=') - 1);
        }
        return static_cast<int>(res.getStatus());
      };
      auto field = [](const std::string& text, const std::string& name) {
        const auto at = text.find("\"" + name + "\":\"");
        if (at == std::string::npos) return std::string();
        const auto start = at + name.size() + 4;
        return text.substr(start, text.find('"', start) - start);
      };
      std::string out;
      try {
        if (call("POST", "/v1/session", "{\"username\":\"person-" + std::to_string(c) + "\",\"password\":\"bench password " +
                 std::to_string(c) + "\"}", out) != 200) throw std::runtime_error(out);
        const std::string uri = field(out, "otpauth");
        const std::string secret = uri.substr(uri.find("secret=") + 7, uri.find('&') - uri.find("secret=") - 7);
        const int64_t unix = std::chrono::duration_cast<std::chrono::seconds>(serverClock.now().time_since_epoch()).count();
        const std::string code = hotp(base32Decode(secret).value(), static_cast<uint64_t>(totpStep(unix)));
        if (call("POST", "/v1/session/code", "{\"code\":\"" + code + "\"}", out) != 200) throw std::runtime_error(out);
        csrf = field(out, "csrf");
      } catch (const std::exception& e) {
        std::cerr << "console sign-in failed: " << e.what() << "\n";
        ++consoleErrors;
        return;
      }
      const std::vector<std::pair<std::string, std::string>> pages = {
          {"GET /v1/session", ""}, {"GET /v1/dashboard", ""}, {"GET /v1/alerts/" + std::to_string(job), ""}, {"GET /v1/zones", ""},
          {"POST /v1/texts/preview", R"({"for":"alert","texts":[{"language":"en","text":"Flood: leave the river banks now."},{"language":"pl","text":"Powódź: ewakuacja."}]})"}};
      auto& mine = consoleLatencies[static_cast<size_t>(c)];
      while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      for (size_t n = 0; !stop; ++n) {
        const auto& [what, body] = pages[n % pages.size()];
        const auto t0 = std::chrono::steady_clock::now();
        try {
          if (call(what.substr(0, what.find(' ')), what.substr(what.find(' ') + 1), body, out) != 200) ++consoleErrors;
        } catch (const Poco::Exception&) {
          ++consoleErrors;
          session.reset();
        }
        mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
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
  std::vector<double> console;
  for (auto& l : consoleLatencies) console.insert(console.end(), l.begin(), l.end());
  std::sort(console.begin(), console.end());
  auto consolePct = [&](double p) {
    return console.empty() ? 0.0 : console[std::min(console.size() - 1, static_cast<size_t>(p * static_cast<double>(console.size())))];
  };
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
  if (consoles > 0)
    std::printf("Console: %d people signed in, polling every 100 ms under that load: %zu calls, p50 %.2f ms, p99 %.2f ms, "
                "%lld errors (target: p99 at most 50 ms)\n",
                consoles, console.size(), consolePct(0.50), consolePct(0.99), static_cast<long long>(consoleErrors.load()));
  std::printf("{\"api_status_requests_per_s\": %.0f, \"api_status_p50_ms\": %.3f, \"api_status_p99_ms\": %.3f, "
              "\"api_status_errors\": %lld, \"api_clients\": %d, \"api_server_cpu_us_per_request\": %.1f",
              rate, pct(0.50), pct(0.99), static_cast<long long>(errors.load()), clients, serverUs);
  if (consoles > 0)
    std::printf(", \"console_api_p50_ms\": %.3f, \"console_api_p99_ms\": %.3f, \"console_api_errors\": %lld, \"console_people\": %d",
                consolePct(0.50), consolePct(0.99), static_cast<long long>(consoleErrors.load()), consoles);
  std::printf("}\n");
  (*server)->stop();
  return errors.load() == 0 && consoleErrors.load() == 0 ? 0 : 1;
}
