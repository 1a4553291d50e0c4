// tocsinctl smpp send, modem send, modem status: what an installer runs to test a bearer.
#include <iomanip>
#include <mutex>
#include <ostream>

#include "broadcaster/cli/cli.h"
#include "hardware/modem/modem_bank.h"
#include "hardware/smpp/link.h"

namespace tocsin::cli {
namespace {

// Counts what a bearer reports, for the diagnostics.
class Tally : public BearerListener {
 public:
  explicit Tally(Clock& clock) : clock_(clock) {}

  void onAccepted(const std::string&, MessageId, const std::vector<std::string>&, int) override {
    std::lock_guard lock(mutex_);
    ++accepted;
    changed_.notify();
  }
  void onFailed(const std::string&, MessageId id, FailureKind, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    ++failed;
    if (failures.size() < 5) failures.push_back("message " + std::to_string(id) + ": " + reason);
    changed_.notify();
  }
  void onReceipt(const std::string&, const Receipt& r) override {
    std::lock_guard lock(mutex_);
    if (r.state == DeliveryState::kPending) return;
    ++receipts;
    if (r.state == DeliveryState::kDelivered) ++delivered;
    changed_.notify();
  }
  void onIncoming(const IncomingMessage& m) override {
    std::lock_guard lock(mutex_);
    incoming.push_back(m.from + ": " + m.text);
  }
  // Waits on the clock until `p` holds (checked under the lock) or `timeout` passes.
  template <typename Pred>
  bool waitUntil(Pred p, Micros timeout) {
    const MonoTime deadline = clock_.monotonic() + timeout;
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (p()) return true;
      }
      if (clock_.sleepUntil(deadline, changed_)) {
        std::lock_guard lock(mutex_);
        return p();
      }
    }
  }

  Clock& clock_;
  std::mutex mutex_;
  Wakeup changed_;
  size_t accepted = 0, failed = 0, receipts = 0, delivered = 0;
  std::vector<std::string> failures, incoming;
};

Status smppSend(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"host"},        {"port"},   {"system-id"}, {"password"}, {"system-type"}, {"tls", false},
                     {"tls-ca"},      {"insecure", false}, {"to"}, {"text"}, {"from"}, {"count"}, {"window"},
                     {"dlr", false},  {"rate"},   {"bind"},      {"timeout"}});
  args.expectPositionals(0, 0, "smpp send --host H --port P --system-id S --password W [--tls] --to NUMBER --text T "
                               "[--count N] [--window W] [--dlr]");
  smpp::SmppLinkConfig c;
  c.name = "smpp-test";
  c.host = args.require("host");
  args.require("port");
  c.port = static_cast<int>(*args.getInt("port", 1, 65535));
  c.systemId = args.require("system-id");
  c.password = args.getOr("password", "");
  c.systemType = args.getOr("system-type", "");
  c.tls = args.flag("tls");
  c.tlsCaFile = args.getOr("tls-ca", "");
  c.tlsVerify = !args.flag("insecure");
  c.window = static_cast<uint32_t>(args.getInt("window", 1, 10000).value_or(10));
  c.messagesPerSecond = static_cast<double>(args.getInt("rate", 0, 1000000).value_or(0));
  c.defaultSender = args.getOr("from", "TOCSIN");
  c.reconnectMax = std::chrono::seconds(5);
  const std::string bind = args.getOr("bind", "transceiver");
  if (bind == "transceiver") c.bindMode = smpp::BindMode::kTransceiver;
  else if (bind == "transmitter+receiver") c.bindMode = smpp::BindMode::kTransmitterAndReceiver;
  else throw UsageError("--bind is transceiver or transmitter+receiver");
  const auto count = static_cast<size_t>(args.getInt("count", 1, 10000000).value_or(1));
  const bool dlr = args.flag("dlr");
  const Micros timeout = std::chrono::seconds(args.getInt("timeout", 1, 86400).value_or(60));
  OutboundMessage m;
  m.destination = args.require("to");
  m.text = args.require("text");
  m.priority = 0;
  m.wantReceipt = dlr;
  m.label = "tocsinctl smpp send";

  Tally tally(ctx.clock);
  smpp::SmppLink link(c, ctx.clock);
  link.start(tally);
  if (!link.waitUntilBound(c.connectTimeout + std::chrono::seconds(5))) {
    const auto h = link.health();
    link.stop(Micros(0));
    return Status::unavailable("could not bind to " + c.host + ":" + std::to_string(c.port) + ": " + h.detail);
  }
  ctx.out << "bound to " << c.host << ":" << c.port << (c.tls ? " over TLS" : "") << " as " << c.systemId << "\n";
  const MonoTime start = ctx.clock.monotonic();
  for (size_t i = 0; i < count; ++i) {
    m.id = static_cast<MessageId>(i + 1);
    Interrupt never;
    while (!link.submit(m)) ctx.clock.sleepFor(std::chrono::milliseconds(5), never);
  }
  const bool finished = tally.waitUntil([&] { return tally.accepted + tally.failed >= count; }, timeout);
  const double seconds = std::chrono::duration<double>(ctx.clock.monotonic() - start).count();
  bool receiptsDone = true;
  if (dlr && finished) receiptsDone = tally.waitUntil([&] { return tally.receipts >= tally.accepted; }, timeout);
  link.stop(std::chrono::seconds(5));
  std::lock_guard lock(tally.mutex_);
  const auto counters = link.counters();
  ctx.out << "submitted " << counters.submitted << " submit_sm for " << count << " message" << (count == 1 ? "" : "s")
          << ": " << tally.accepted << " accepted, " << tally.failed << " failed";
  if (counters.throttled) ctx.out << ", " << counters.throttled << " throttled and retried";
  ctx.out << "\nrate " << std::fixed << std::setprecision(0) << (seconds > 0 ? tally.accepted / seconds : 0) << " msg/s\n";
  for (const auto& f : tally.failures) ctx.out << "  " << f << "\n";
  if (dlr) ctx.out << "receipts " << tally.receipts << " of " << tally.accepted << ": " << tally.delivered << " delivered\n";
  for (const auto& i : tally.incoming) ctx.out << "incoming " << i << "\n";
  if (!finished) return Status::unavailable("not every message was answered within " + formatDuration(timeout));
  if (tally.accepted != count) ctx.failedVerdict = true;
  if (dlr && (!receiptsDone || tally.delivered != count)) ctx.failedVerdict = true;
  return Status::okStatus();
}

// One modem as a bank of one, from the command line's options.
modem::BankConfig modemFromArgs(Args& args) {
  modem::BankConfig bank;
  bank.name = "modem";
  bank.maxAttempts = 1;  // a diagnostic reports the first failure rather than hiding it
  modem::ModemConfig c;
  c.name = "modem";
  c.device = args.require("device");
  c.baud = static_cast<int>(args.getInt("baud", 300, 4000000).value_or(115200));
  c.hardwareFlowControl = args.flag("rtscts");
  c.pin = args.getOr("pin", "");
  c.reopenInterval = std::chrono::hours(1);  // once is enough for a test
  bank.modems.push_back(c);
  return bank;
}

void printModem(std::ostream& out, const modem::ModemView& v) {
  const auto& s = v.status;
  auto line = [&](const char* label, const std::string& value) {
    out << std::left << std::setw(10) << label << (value.empty() ? "-" : value) << "\n";
  };
  line("device", v.device);
  line("model", s.model);
  line("IMEI", s.imei);
  line("signal", s.signalDbm ? std::to_string(*s.signalDbm) + " dBm" : "unknown");
  std::string reg;
  switch (s.registration) {
    case 1: reg = "registered (home)"; break;
    case 5: reg = "registered (roaming)"; break;
    case 2: reg = "searching"; break;
    case 3: reg = "registration denied"; break;
    case 0: reg = "not registered, not searching"; break;
    default: reg = s.registration < 0 ? "unknown" : "stat " + std::to_string(s.registration);
  }
  line("network", reg + (s.operatorName.empty() ? "" : ", " + s.operatorName));
  line("SMSC", s.smsc);
  line("ready", v.usable ? "yes" : "no: " + (v.problem.empty() ? std::string("not answering") : v.problem));
}

// Opens the modem and waits until its initialisation ended one way or another.
std::optional<modem::ModemView> openModem(CliContext& ctx, modem::ModemBank& bank, BearerListener& listener,
                                          Micros timeout) {
  bank.start(listener);
  bank.waitFor([](const std::vector<modem::ModemView>& v) {
    return !v.empty() && (v[0].status.initFinished || v[0].reopened > 0 || (!v[0].portOpen && !v[0].problem.empty()));
  }, timeout);
  const auto views = bank.modems();
  if (views.empty()) return std::nullopt;
  (void)ctx;
  return views[0];
}

Status modemStatus(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"device"}, {"baud"}, {"pin"}, {"rtscts", false}, {"timeout"}});
  args.expectPositionals(0, 0, "modem status --device PATH [--baud B] [--pin PIN] [--rtscts]");
  const Micros timeout = std::chrono::seconds(args.getInt("timeout", 1, 3600).value_or(30));
  modem::ModemBank bank(modemFromArgs(args), ctx.clock);
  Tally tally(ctx.clock);
  auto view = openModem(ctx, bank, tally, timeout);
  bank.stop(Micros(0));
  if (!view) return Status::internal("no modem view");
  printModem(ctx.out, *view);
  if (!view->usable) ctx.failedVerdict = true;
  return Status::okStatus();
}

Status modemSend(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"device"}, {"baud"}, {"pin"}, {"rtscts", false}, {"to"}, {"text"}, {"count"}, {"dlr", false},
                     {"timeout"}});
  args.expectPositionals(0, 0, "modem send --device PATH --to NUMBER --text T [--count N] [--dlr]");
  const Micros timeout = std::chrono::seconds(args.getInt("timeout", 1, 86400).value_or(120));
  const auto count = static_cast<size_t>(args.getInt("count", 1, 1000).value_or(1));
  const bool dlr = args.flag("dlr");
  OutboundMessage m;
  m.destination = args.require("to");
  m.text = args.require("text");
  m.wantReceipt = dlr;
  m.label = "tocsinctl modem send";
  modem::ModemBank bank(modemFromArgs(args), ctx.clock);
  Tally tally(ctx.clock);
  auto view = openModem(ctx, bank, tally, std::chrono::seconds(30));
  if (!view || !view->usable) {
    bank.stop(Micros(0));
    if (view) printModem(ctx.out, *view);
    return Status::unavailable("the modem at " + args.require("device") + " is not ready" +
                               (view && !view->problem.empty() ? ": " + view->problem : ""));
  }
  ctx.out << "modem ready: " << view->status.model << ", "
          << (view->status.signalDbm ? std::to_string(*view->status.signalDbm) + " dBm" : "signal unknown")
          << (view->status.operatorName.empty() ? "" : ", " + view->status.operatorName) << "\n";
  const MonoTime start = ctx.clock.monotonic();
  for (size_t i = 0; i < count; ++i) {
    m.id = static_cast<MessageId>(i + 1);
    bank.submit(m);
  }
  const bool finished = tally.waitUntil([&] { return tally.accepted + tally.failed >= count; }, timeout);
  const double seconds = std::chrono::duration<double>(ctx.clock.monotonic() - start).count();
  bool receiptsDone = true;
  if (dlr && finished) receiptsDone = tally.waitUntil([&] { return tally.receipts >= tally.accepted; }, timeout);
  bank.stop(std::chrono::seconds(5));
  std::lock_guard lock(tally.mutex_);
  ctx.out << count << " message" << (count == 1 ? "" : "s") << ": " << tally.accepted << " accepted, " << tally.failed
          << " failed in " << std::fixed << std::setprecision(1) << seconds << " s\n";
  for (const auto& f : tally.failures) ctx.out << "  " << f << "\n";
  if (dlr) ctx.out << "status reports " << tally.receipts << " of " << tally.accepted << ": " << tally.delivered << " delivered\n";
  for (const auto& i : tally.incoming) ctx.out << "incoming " << i << "\n";
  if (!finished) return Status::unavailable("not every message was answered within " + formatDuration(timeout));
  if (tally.accepted != count) ctx.failedVerdict = true;
  if (dlr && (!receiptsDone || tally.delivered != count)) ctx.failedVerdict = true;
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& bearerCommands() {
  static const std::vector<Command> kCommands = {
      {"smpp send", "smpp send --host H --port P --system-id S ...", "test an SMPP account: send, count, time",
       smppSend},
      {"modem send", "modem send --device PATH --to NUMBER --text T [--dlr]", "test a GSM modem: send through it",
       modemSend},
      {"modem status", "modem status --device PATH", "show a GSM modem's identity, signal and network", modemStatus},
  };
  return kCommands;
}

}  // namespace tocsin::cli
