// Kiosk sign-ups on the real tocsin-broadcaster: `--kiosks` kiosks (default 50), each enrolled
// with tocsinctl and paired through the API, sign people up for `--seconds` (default 60). Each
// sign-up is a start (POST /v1/signups, a code SMS queued and sent to the SMSC simulator) then a
// confirmation with the code (read from the store, not timed); the round trip timed is the two
// calls. Every kiosk keeps to the appliance's limit of 10 codes a minute, so 50 kiosks take
// about 8 sign-ups a second between them.
//
// Prints the count, errors, p50/p99/max of the round trip, then one JSON line
// (kiosk_signup_p99_ms, ...). Target: p99 at most 50 ms with 50 kiosks for 60 s and no error.
//
//   tocsin-bench-api --kiosks 50 [--seconds 60]
#include <Poco/JSON/Parser.h>
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
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_rig.h"
#include "tests/support/raw_sql.h"

using namespace tocsin::testing;
using Steady = std::chrono::steady_clock;

namespace {

struct Answer {
  int status = 0;
  std::string body;
};

Answer postOnce(Poco::Net::HTTPSClientSession& session, const std::string& path, const std::string& token,
                const std::string& body, const std::string& key) {
  Answer a;
  try {
    Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    if (!key.empty()) request.set("Idempotency-Key", key);
    request.set("X-Tocsin-Kiosk", "version=bench; waiting=0");
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), a.body);
    a.status = response.getStatus();
  } catch (const Poco::Exception& e) {
    a.body = e.displayText();
    session.reset();
  }
  return a;
}

// As a kiosk does: a keep-alive connection the server closed while the kiosk waited is opened
// again and the call sent once more (a sign-up carries its Idempotency-Key, so it is made once).
Answer post(Poco::Net::HTTPSClientSession& session, const std::string& path, const std::string& token,
            const std::string& body, const std::string& key = "") {
  Answer a = postOnce(session, path, token, body, key);
  if (a.status == 0) a = postOnce(session, path, token, body, key);
  return a;
}

std::string field(const std::string& json, const std::string& name) {
  try {
    auto o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    return o->has(name) ? o->get(name).convert<std::string>() : "";
  } catch (const Poco::Exception&) {
    return "";
  }
}

ToolResult must(ToolResult r, const char* what) {
  if (r.status != 0) throw std::runtime_error(std::string(what) + " failed: " + r.out);
  return r;
}

}  // namespace

int kioskMain(int argc, char** argv) {
  int kiosks = 50;
  double seconds = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--kiosks") kiosks = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--seconds") seconds = std::max(1.0, std::atof(argv[i + 1]));
  }
  DaemonRig rig(TOCSIN_BIN_DIR);
  {
    std::FILE* f = std::fopen(rig.dir.file("alerts.txt").c_str(), "w");
    std::fputs("I want the town's alerts by SMS.", f);
    std::fclose(f);
  }
  must(rig.tocsinctl({"consent", "text", "add", "--id", "bench-alerts", "--purpose", "alerts", "--language", "en",
                      "--file", rig.dir.file("alerts.txt")}), "consent text add");
  rig.startBroadcaster();
  const std::string sha = rawQuery(rig.db(), "SELECT sha256 FROM consent_texts WHERE text_id = 'bench-alerts'");

  Poco::Net::initializeSSL();
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", rig.ca,
                                                           Poco::Net::Context::VERIFY_RELAXED, 9, false);
  // Enrolment and pairing, as an installer would do it.
  std::vector<std::string> tokens;
  for (int k = 0; k < kiosks; ++k) {
    const std::string id = "K-" + std::to_string(k);
    const ToolResult added = must(rig.tocsinctl({"kiosk", "add", "--shop", "bench", "--id", id}), "kiosk add");
    std::string code;
    for (const auto& line : lines(added.out))
      if (line.size() == 11 && line[5] == '-') code = line;
    Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<uint16_t>(rig.port), context);
    const Answer paired = post(session, "/v1/kiosks/" + id + "/pair", "", "{\"code\":\"" + code + "\"}");
    if (paired.status != 201) throw std::runtime_error("pairing " + id + " failed: " + paired.body);
    tokens.push_back(field(paired.body, "token"));
  }

  std::mutex mutex;
  std::vector<double> roundTrips;
  std::atomic<int> errors{0};
  std::atomic<int> next{0};
  std::string firstError;
  const auto deadline = Steady::now() + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int k = 0; k < kiosks; ++k) {
    threads.emplace_back([&, k] {
      Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<uint16_t>(rig.port), context);
      session.setKeepAlive(true);
      session.setKeepAliveTimeout(Poco::Timespan(2, 0));  // as the kiosk does
      // Spread over the first pacing interval, then one sign-up every 6 s (10 codes a minute).
      const auto pace = std::chrono::milliseconds(6000);
      auto at = Steady::now() + pace * k / kiosks;
      while (at < deadline) {
        std::this_thread::sleep_until(at);
        at += pace;
        const int n = next++;
        char phone[32];
        std::snprintf(phone, sizeof phone, "+336%08d", 10000000 + n);
        const std::string body = std::string("{\"phone\":\"") + phone +
                                 "\",\"language\":\"en\",\"purposes\":[{\"purpose\":\"alerts\",\"text_id\":\"bench-alerts\","
                                 "\"text_version\":1,\"text_sha256\":\"" + sha + "\"}]}";
        const auto t0 = Steady::now();
        const Answer started =
            post(session, "/v1/signups", tokens[static_cast<size_t>(k)], body, "bench-" + std::to_string(n));
        const auto t1 = Steady::now();
        if (started.status != 202) {
          std::lock_guard<std::mutex> lock(mutex);
          if (firstError.empty()) firstError = "start: HTTP " + std::to_string(started.status) + " " + started.body;
          ++errors;
          continue;
        }
        const std::string signup = field(started.body, "signup");
        const std::string sms = rawQuery(rig.db(), std::string("SELECT j.body FROM jobs j JOIN messages m ON m.job_id = j.id ") +
                                                       "WHERE j.title = 'sign-up code' AND m.destination = '" + phone + "'");
        const auto digit = sms.find_first_of("0123456789");
        const std::string code = digit == std::string::npos ? "" : sms.substr(digit, 6);
        const auto t2 = Steady::now();
        const Answer confirmed =
            post(session, "/v1/signups/" + signup + "/confirm", tokens[static_cast<size_t>(k)], "{\"code\":\"" + code + "\"}");
        const auto t3 = Steady::now();
        std::lock_guard<std::mutex> lock(mutex);
        if (confirmed.status != 200) {
          if (firstError.empty()) firstError = "confirm: HTTP " + std::to_string(confirmed.status) + " " + confirmed.body;
          ++errors;
          continue;
        }
        roundTrips.push_back(std::chrono::duration<double, std::milli>((t1 - t0) + (t3 - t2)).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(roundTrips.begin(), roundTrips.end());
  auto pct = [&](double p) {
    return roundTrips.empty() ? 0.0 : roundTrips[std::min(roundTrips.size() - 1, static_cast<size_t>(p * roundTrips.size()))];
  };
  const double p99 = pct(0.99);
  std::printf("kiosk sign-ups: %d kiosks for %.0f s: %zu signed up and confirmed, %d errors\n", kiosks, seconds,
              roundTrips.size(), errors.load());
  std::printf("round trip (start + confirm): p50 %.2f ms, p99 %.2f ms, max %.2f ms (target: p99 <= 50 ms, no error)\n",
              pct(0.5), p99, roundTrips.empty() ? 0.0 : roundTrips.back());
  if (!firstError.empty()) std::printf("first error: %s\n", firstError.c_str());
  std::printf("{\"kiosk_signup_p99_ms\": %.2f, \"kiosk_signups\": %zu, \"kiosk_errors\": %d, \"kiosks\": %d}\n", p99,
              roundTrips.size(), errors.load(), kiosks);
  return errors.load() == 0 && !roundTrips.empty() ? 0 : 1;
}
