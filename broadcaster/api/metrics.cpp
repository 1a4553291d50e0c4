#include "broadcaster/api/metrics.h"

#include <Poco/JSON/Parser.h>

#include <chrono>
#include <iomanip>
#include <sstream>

namespace tocsin::api {
namespace {

std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

}  // namespace

void Metrics::observe(const std::string& route, int status, double seconds) {
  const std::string key = route.empty() ? "unmatched" : route;
  std::lock_guard lock(mutex_);
  Series& s = latency_[key];
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  ++s.buckets[i];
  s.sum += seconds;
  ++s.count;
  ++requests_[{key, status}];
}

std::string Metrics::render(StoreTx& tx, bool broadcasterUp) const {
  std::ostringstream out;
  out << "# HELP tocsin_messages Messages per class and state (queue depths and delivery outcomes).\n"
         "# TYPE tocsin_messages gauge\n";
  for (const auto& c : tx.jobs().countsByClass())
    out << "tocsin_messages{class=\"" << label(className(c.messageClass)) << "\",state=\"" << messageStateName(c.state) << "\"} "
        << c.count << "\n";

  const auto runtime = tx.runtime().get("");
  out << "# HELP tocsin_broadcaster_up 1 while tocsin-broadcaster runs on this store.\n"
         "# TYPE tocsin_broadcaster_up gauge\n";
  out << "tocsin_broadcaster_up " << (broadcasterUp ? 1 : 0) << "\n";
  // Several nodes on one store: when each last reported (every third of its lease), so that
  // time() minus it tells a node that stopped, on any node's /metrics.
  out << "# HELP tocsin_node_last_report_timestamp_seconds When each broadcaster node on this store last reported.\n"
         "# TYPE tocsin_node_last_report_timestamp_seconds gauge\n";
  for (const auto& [key, value] : runtime) {
    if (key.rfind("broadcaster@", 0) != 0) continue;
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(value.second.time_since_epoch()).count();
    out << "tocsin_node_last_report_timestamp_seconds{node=\"" << label(key.substr(12)) << "\"} " << micros / 1000000 << "."
        << std::setw(3) << std::setfill('0') << (micros % 1000000) / 1000 << std::setfill(' ') << "\n";
  }
  out << "# HELP tocsin_bearer_up 1 when the bearer is connected and usable.\n# TYPE tocsin_bearer_up gauge\n"
         "# HELP tocsin_bearer_outstanding Messages handed to the bearer and not yet answered.\n"
         "# TYPE tocsin_bearer_outstanding gauge\n"
         "# HELP tocsin_bearer_accepted_total Messages the bearer accepted (rate() gives its throughput).\n"
         "# TYPE tocsin_bearer_accepted_total counter\n"
         "# HELP tocsin_bearer_failed_total Messages the bearer refused or lost.\n"
         "# TYPE tocsin_bearer_failed_total counter\n";
  for (const auto& [key, value] : runtime) {
    if (key.rfind("bearer:", 0) != 0) continue;
    const std::string name = label(key.substr(7));
    try {
      auto o = Poco::JSON::Parser().parse(value.first).extract<Poco::JSON::Object::Ptr>();
      auto num = [&](const char* k) { return o->has(k) ? o->get(k).convert<std::string>() : "0"; };
      const std::string state = o->has("state") ? o->get("state").convert<std::string>() : "";
      out << "tocsin_bearer_up{bearer=\"" << name << "\",state=\"" << label(state) << "\"} " << (state == "up" ? 1 : 0) << "\n";
      out << "tocsin_bearer_outstanding{bearer=\"" << name << "\"} " << num("outstanding") << "\n";
      out << "tocsin_bearer_accepted_total{bearer=\"" << name << "\"} " << num("accepted") << "\n";
      out << "tocsin_bearer_failed_total{bearer=\"" << name << "\"} " << num("failed") << "\n";
    } catch (const Poco::Exception&) {
      // A malformed report is shown as a bearer that is down.
      out << "tocsin_bearer_up{bearer=\"" << name << "\",state=\"unknown\"} 0\n";
    }
  }

  std::lock_guard lock(mutex_);
  out << "# HELP tocsin_api_requests_total API requests by route and status.\n# TYPE tocsin_api_requests_total counter\n";
  for (const auto& [k, n] : requests_)
    out << "tocsin_api_requests_total{route=\"" << label(k.first) << "\",status=\"" << k.second << "\"} " << n << "\n";
  out << "# HELP tocsin_api_request_seconds API request latency.\n# TYPE tocsin_api_request_seconds histogram\n";
  for (const auto& [route, s] : latency_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= kBuckets.size(); ++i) {
      cumulative += s.buckets[i];
      out << "tocsin_api_request_seconds_bucket{route=\"" << label(route) << "\",le=\""
          << (i < kBuckets.size() ? number(kBuckets[i]) : "+Inf") << "\"} " << cumulative << "\n";
    }
    out << "tocsin_api_request_seconds_sum{route=\"" << label(route) << "\"} " << number(s.sum) << "\n";
    out << "tocsin_api_request_seconds_count{route=\"" << label(route) << "\"} " << s.count << "\n";
  }
  return out.str();
}

}  // namespace tocsin::api
