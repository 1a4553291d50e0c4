// Benchmark: the pure codecs on one core.
//
//   tocsin-bench-codec [--seconds S] [--json]
//
// Prints its figures, then one line of JSON that scripts/bench collects (only that line with --json).
//
// submit_sm encode + decode pairs per second (an alert-sized GSM-7 message with registered
// delivery and a user_message_reference TLV), and GSM-7 planning (encoding choice, septets,
// segmentation) of realistic texts in messages and megabytes per second.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/text/sms_text.h"
#include "hardware/smpp/codec.h"

namespace {

using Clock = std::chrono::steady_clock;

template <typename Body>
double ratePerSecond(double seconds, Body body) {
  // Warm up, then run in batches until the time is up.
  for (int i = 0; i < 1000; ++i) body();
  uint64_t done = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    for (int i = 0; i < 10000; ++i) body();
    done += 10000;
  }
  return static_cast<double>(done) / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--json")) json = true;
    else {
      std::fprintf(stderr, "usage: tocsin-bench-codec [--seconds S] [--json]\n");
      return 2;
    }
  }
  using namespace tocsin;

  const auto plan = text::planSms("FLOOD WARNING Saint-Tocsin: the river will overflow tonight. Leave the riverside "
                                  "zone now, go to the school on Rue Haute. Info: 112").value();
  smpp::Pdu pdu;
  pdu.commandId = smpp::command::kSubmitSm;
  pdu.sequence = 1;
  smpp::ShortMessage sm;
  sm.source = {5, 0, "TOWNHALL"};
  sm.destination = {1, 1, "33612345678"};
  sm.priorityFlag = 3;
  sm.registeredDelivery = 1;
  sm.shortMessage.assign(plan.parts[0].payload.begin(), plan.parts[0].payload.end());
  pdu.body = sm;
  pdu.addTlvU16(smpp::tlv::kUserMessageReference, 4242);
  std::string buffer;
  buffer.reserve(512);
  size_t sink = 0;
  const double pairs = ratePerSecond(seconds, [&] {
    buffer.clear();
    ++pdu.sequence;
    if (!smpp::encodeInto(pdu, buffer).ok()) std::abort();
    const smpp::Decoded d = smpp::decode(buffer);
    sink += std::get<smpp::Pdu>(d).sequence;
  });

  const std::vector<std::string> texts = {
      "Your code is 482913. Reply STOP to opt out.",
      "Boulangerie Martin: -20% on all croissants this Saturday 8:00-12:00! {members only} STOP SMS 36111",
      std::string(400, 'a') + " Flood warning [Zone A]: evacuate. € 5 fine for ignoring.",
      "Storm alert for Zone B: stay indoors until 18:00. Secure loose objects, avoid the harbour and the old bridge. "
      "Updates at saint-tocsin.example/alerts. Emergency: 112.",
  };
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  size_t parts = 0;
  const double plans = ratePerSecond(seconds, [&] {
    for (const auto& t : texts) parts += text::planSms(t)->parts.size();
  }) * static_cast<double>(texts.size());
  const double megabytes = plans / static_cast<double>(texts.size()) * static_cast<double>(bytes) / 1e6;

  if (!json) {
    std::printf("submit_sm encode+decode: %.0f pairs/s on one core (target >= 1000000)\n", pairs);
    std::printf("GSM-7 planning and segmentation: %.0f texts/s, %.1f MB/s of text\n", plans, megabytes);
    std::printf("reproduce: build/bin/tocsin-bench-codec --seconds %.0f\n", seconds);
  }
  std::printf("{\"smpp_submit_sm_encode_decode_per_s\": %.0f, \"gsm7_plans_per_s\": %.0f, \"gsm7_plan_mb_per_s\": "
              "%.1f}\n",
              pairs, plans, megabytes);
  return sink == 42 && parts == 42 ? 3 : 0;  // keeps the work observable
}
