#include "hardware/sim/smsc_sim.h"

#include <poll.h>

#include <queue>
#include <random>

#include "common/base/json_text.h"
#include "common/text/sms_text.h"
#include "common/text/unicode.h"
#include "hardware/bearer/token_bucket.h"
#include "hardware/bearer/user_data_header.h"
#include "hardware/smpp/codec.h"
#include "hardware/smpp/framing.h"

namespace tocsin::sim {

using namespace tocsin::smpp;

namespace {

enum BindBits { kCanSubmit = 1, kCanReceive = 2 };

struct Timed {
  MonoTime due;
  std::string bytes;
  bool operator>(const Timed& o) const { return due > o.due; }
};

std::string hexId(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string decimalId(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%010llu", static_cast<unsigned long long>(v));
  return buf;
}

std::string yymmddhhmm(Timestamp t) {
  const std::string iso = formatUtc(t);  // 2026-11-22T09:30:00Z
  return iso.substr(2, 2) + iso.substr(5, 2) + iso.substr(8, 2) + iso.substr(11, 2) + iso.substr(14, 2);
}

// The text of a submitted message as best the simulator can read it (for its report).
std::string submittedText(const ShortMessage& sm, std::string_view body) {
  const auto* p = reinterpret_cast<const uint8_t*>(body.data());
  if (sm.dataCoding == 0x08) return text::decodePayload(text::SmsEncoding::kUcs2, p, body.size());
  if (sm.dataCoding == 0x03) {
    std::string out;
    for (unsigned char c : body) out += c < 0x80 ? static_cast<char>(c) : '?';
    return out;
  }
  if (sm.dataCoding == 0x00 || sm.dataCoding == 0x01 || sm.dataCoding == 0xF0 || sm.dataCoding == 0xF1)
    return text::decodePayload(text::SmsEncoding::kGsm7, p, body.size());
  return "";
}

}  // namespace

struct SmscSimulator::Conn {
  std::unique_ptr<net::Connection> connection;
  net::Wakeup wakeup;
  std::mutex mailboxMutex;
  std::vector<Timed> mailbox;
  std::atomic<bool> drop{false};
  std::atomic<bool> garbage{false};
  std::atomic<int> bits{0};
  std::atomic<uint32_t> sequence{0};
  std::string systemId;  // set once at bind, read by others under the simulator's mutex
  uint32_t nextSequence() { return (sequence.fetch_add(1) % 0x7FFFFFFE) + 1; }
};

SmscSimulator::SmscSimulator(SmscSimConfig config, Clock& clock) : config_(std::move(config)), clock_(clock) {}

SmscSimulator::~SmscSimulator() { stop(); }

Status SmscSimulator::start() {
  TOCSIN_ASSIGN_OR_RETURN(listener_, net::Listener::open(config_.host, config_.port, config_.tls ? &*config_.tls : nullptr));
  acceptThread_ = std::thread([this] { acceptLoop(); });
  return Status::okStatus();
}

int SmscSimulator::port() const { return listener_ ? listener_->port() : 0; }

void SmscSimulator::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptThread_.joinable()) acceptThread_.join();
  {
    std::lock_guard lock(mutex_);
    for (auto& c : conns_) c->wakeup.signal();
  }
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  if (listener_) listener_->close();
}

void SmscSimulator::acceptLoop() {
  while (!stopping_) {
    auto conn = listener_->accept(std::chrono::milliseconds(100));
    if (!conn.ok() || !*conn) continue;
    auto c = std::make_shared<Conn>();
    c->connection = std::move(*conn);
    std::lock_guard lock(mutex_);
    ++stats_.connections;
    conns_.push_back(c);
    threads_.emplace_back([this, c] { serve(c); });
  }
}

void SmscSimulator::post(Conn& conn, std::string bytes) {
  {
    std::lock_guard lock(conn.mailboxMutex);
    conn.mailbox.push_back({clock_.monotonic(), std::move(bytes)});
  }
  conn.wakeup.signal();
}

// One connection's own state while it is served.
struct SmscSimulator::Served {
  Served(std::shared_ptr<Conn> c, const SmscSimConfig& config, uint64_t seed)
      : conn(std::move(c)), bucket(config.tpsPerBind, std::max(1.0, config.tpsPerBind / 10)), rng(seed) {}
  std::shared_ptr<Conn> conn;
  FrameReader frames;
  std::string out;
  std::priority_queue<Timed, std::vector<Timed>, std::greater<>> timers;
  TokenBucket bucket;
  std::mt19937_64 rng;
  std::uniform_real_distribution<double> unit{0, 1};
  std::string reportBuffer;
  bool closing = false;

  // Sends `r` now or after `delay`.
  void respond(Pdu& r, Micros delay, MonoTime now) {
    std::string bytes = encode(r).value();
    if (delay.count() > 0) timers.push({now + delay, std::move(bytes)});
    else out += bytes;
  }
};

std::shared_ptr<SmscSimulator::Conn> SmscSimulator::receiptTarget(const std::shared_ptr<Conn>& conn) {
  // Itself when it can receive, else another bind of the same account that can.
  if (conn->bits & kCanReceive) return conn;
  std::lock_guard lock(mutex_);
  for (auto& c : conns_)
    if ((c->bits & kCanReceive) && c->systemId == conn->systemId && !c->drop) return c;
  return nullptr;
}

void SmscSimulator::onBind(Served& s, const Pdu& pdu, MonoTime now) {
  const auto* b = pdu.as<Bind>();
  Pdu r = makeResponse(pdu, status::kOk);
  if (!config_.accounts.empty()) {
    auto it = config_.accounts.find(b->systemId);
    if (it == config_.accounts.end()) r.commandStatus = status::kInvalidSystemId;
    else if (it->second != b->password) r.commandStatus = status::kInvalidPassword;
  }
  if (s.conn->bits != 0) r.commandStatus = status::kAlreadyBound;
  if (r.commandStatus == status::kOk) {
    r.body = BindResp{"TOCSIN-SIM"};
    r.addTlvU8(tlv::kScInterfaceVersion, 0x34);
    {
      std::lock_guard lock(mutex_);
      s.conn->systemId = b->systemId;
      ++stats_.binds;
    }
    s.conn->bits = pdu.commandId == command::kBindTransceiver  ? (kCanSubmit | kCanReceive)
                   : pdu.commandId == command::kBindTransmitter ? kCanSubmit
                                                                : kCanReceive;
  }
  s.respond(r, Micros(0), now);
}

void SmscSimulator::onSubmit(Served& s, const Pdu& pdu, MonoTime now) {
  const auto* sm = pdu.as<ShortMessage>();
  Pdu r = makeResponse(pdu, status::kOk);
  if (!(s.conn->bits & kCanSubmit)) r.commandStatus = status::kInvalidBindStatus;
  else if (!s.bucket.tryTake(now)) r.commandStatus = status::kThrottled;
  else if (config_.failRatio > 0 && s.unit(s.rng) < config_.failRatio) r.commandStatus = config_.failStatus;
  if (r.commandStatus != status::kOk) {
    std::lock_guard lock(mutex_);
    (r.commandStatus == status::kThrottled ? stats_.throttled : stats_.refused)++;
    s.respond(r, config_.latency, now);
    return;
  }
  const uint64_t id = nextId_++;
  r.body = MessageIdResp{hexId(id)};
  s.respond(r, config_.latency, now);
  {
    std::lock_guard lock(mutex_);
    ++stats_.submits;
  }
  std::string_view body = sm->shortMessage;
  if (body.empty())
    if (const Tlv* payload = pdu.findTlv(tlv::kMessagePayload)) body = payload->value;
  std::string concat;
  if ((sm->esmClass & 0x40) && !body.empty()) {
    const size_t declared = std::min<size_t>(static_cast<uint8_t>(body[0]) + 1u, body.size());
    if (const auto split = splitUserData(body); split.ok())
      if (const auto c = findConcatenation(split->elements))
        concat = "{\"ref\":" + std::to_string(c->reference) + ",\"total\":" + std::to_string(c->total) +
                 ",\"seq\":" + std::to_string(c->sequence) + "}";
    body.remove_prefix(declared);
  } else if (auto ref = pdu.tlvU16(tlv::kSarMsgRefNum)) {
    concat = "{\"ref\":" + std::to_string(*ref) + ",\"total\":" +
             std::to_string(pdu.tlvU8(tlv::kSarTotalSegments).value_or(0)) + ",\"seq\":" +
             std::to_string(pdu.tlvU8(tlv::kSarSegmentSeqnum).value_or(0)) + "}";
  }
  if (watch_ && sm->priorityFlag >= watchMin_) {
    std::string w = "{\"event\":\"priority_submit\",\"mono_ns\":" +
                    std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count()) +
                    ",\"priority\":" + std::to_string(sm->priorityFlag) + ",\"to\":";
    appendJsonString(w, sm->destination.address);
    w += ",\"text\":";
    appendJsonString(w, submittedText(*sm, body));
    w += "}\n";
    std::lock_guard lock(reportMutex_);
    std::fwrite(w.data(), 1, w.size(), watch_);
    std::fflush(watch_);
  }
  if (report_) reportSubmit(s, *sm, id, body, concat);
  if (config_.receipts && (sm->registeredDelivery & 0x03) != 0) sendReceipt(s, *sm, id, now);
}

void SmscSimulator::reportSubmit(Served& s, const ShortMessage& sm, uint64_t id, std::string_view body,
                                 const std::string& concat) {
  std::string& j = s.reportBuffer;
  j += "{\"event\":\"submit_sm\",\"system_id\":";
  appendJsonString(j, s.conn->systemId);
  j += ",\"message_id\":\"" + hexId(id) + "\",\"from\":";
  appendJsonString(j, sm.source.address);
  j += ",\"to\":";
  appendJsonString(j, sm.destination.address);
  j += ",\"data_coding\":" + std::to_string(sm.dataCoding) + ",\"esm_class\":" + std::to_string(sm.esmClass) +
       ",\"priority\":" + std::to_string(sm.priorityFlag);
  if (!sm.validityPeriod.empty()) j += ",\"validity\":\"" + sm.validityPeriod + "\"";
  if (!concat.empty()) j += ",\"concat\":" + concat;
  j += ",\"text\":";
  appendJsonString(j, submittedText(sm, body));
  j += "}\n";
}

void SmscSimulator::sendReceipt(Served& s, const ShortMessage& sm, uint64_t id, MonoTime now) {
  const double roll = s.unit(s.rng);
  const bool undeliv = roll < config_.undeliverableRatio;
  const bool expired = !undeliv && roll < config_.undeliverableRatio + config_.expiredRatio;
  if ((sm.registeredDelivery & 0x03) == 2 && !undeliv && !expired) return;  // failures only
  auto target = receiptTarget(s.conn);
  if (!target) return;
  Pdu d;
  d.commandId = command::kDeliverSm;
  d.sequence = target->nextSequence();
  ShortMessage rm;
  rm.esmClass = 0x04;
  rm.source = sm.destination;
  rm.destination = sm.source;
  const std::string stamp = yymmddhhmm(clock_.now());
  const char* stat = undeliv ? "UNDELIV" : expired ? "EXPIRED" : "DELIVRD";
  rm.shortMessage = "id:" + decimalId(id) + " sub:001 dlvrd:" + (undeliv || expired ? "000" : "001") + " submit date:" + stamp +
                    " done date:" + stamp + " stat:" + stat + " err:" + (undeliv ? "034" : "000") + " text:";
  d.body = rm;
  d.addTlvCString(tlv::kReceiptedMessageId, hexId(id));
  d.addTlvU8(tlv::kMessageState, undeliv ? 5 : expired ? 3 : 2);
  std::string bytes = encode(d).value();
  if (target == s.conn) {
    s.timers.push({now + config_.receiptDelay, std::move(bytes)});
  } else {
    std::lock_guard lock(target->mailboxMutex);
    target->mailbox.push_back({now + config_.receiptDelay, std::move(bytes)});
    target->wakeup.signal();
  }
  std::lock_guard lock(mutex_);
  ++stats_.receiptsSent;
}

void SmscSimulator::handle(Served& s, const Pdu& pdu, MonoTime now) {
  switch (pdu.commandId) {
    case command::kBindTransceiver:
    case command::kBindTransmitter:
    case command::kBindReceiver: return onBind(s, pdu, now);
    case command::kSubmitSm: return onSubmit(s, pdu, now);
    case command::kEnquireLink: {
      Pdu r = makeResponse(pdu, status::kOk);
      return s.respond(r, Micros(0), now);
    }
    case command::kUnbind: {
      Pdu r = makeResponse(pdu, status::kOk);
      s.respond(r, Micros(0), now);
      s.closing = true;
      return;
    }
    case command::responseTo(command::kDeliverSm): {
      std::lock_guard lock(mutex_);
      ++stats_.deliverResps;
      return;
    }
    case command::kDataSm: {
      Pdu r = makeResponse(pdu, status::kOk);
      r.body = MessageIdResp{hexId(nextId_++)};
      return s.respond(r, config_.latency, now);
    }
    default:
      if (!command::isResponse(pdu.commandId)) {
        Pdu nack = makeGenericNack(pdu.sequence, status::kInvalidCommandId);
        s.respond(nack, Micros(0), now);
      }
      return;
  }
}

// Everything due to go out now: timers, messages other threads posted, a fault asked for.
void SmscSimulator::gatherOutput(Served& s, MonoTime now) {
  {
    std::lock_guard lock(s.conn->mailboxMutex);
    for (auto& t : s.conn->mailbox) s.timers.push(std::move(t));
    s.conn->mailbox.clear();
  }
  s.conn->wakeup.clear();
  while (!s.timers.empty() && s.timers.top().due <= now) {
    s.out += s.timers.top().bytes;
    s.timers.pop();
  }
  if (s.conn->garbage.exchange(false)) {
    // An unknown command with a plausible length, then a deliver_sm whose TLV overruns.
    s.out += std::string("\x00\x00\x00\x14\x00\x00\xDE\xAD\x00\x00\x00\x00\x7F\xFF\xFF\xF0garb", 20);
    s.out += std::string("\x00\x00\x00\x15\x00\x00\x00\x05\x00\x00\x00\x00\x7F\xFF\xFF\xF1\x00\x01\x01\x04\x24", 21);
  }
}

// Reads what arrived and handles each PDU; false when the connection is gone.
bool SmscSimulator::readInput(Served& s) {
  std::string data;
  auto n = s.conn->connection->readSome(data);
  if (!data.empty()) {
    s.frames.append(data);
    const MonoTime now = clock_.monotonic();
    while (true) {
      auto f = s.frames.next();
      if (!f.ok()) {
        s.conn->drop = true;  // unframeable: hang up, as an SMSC would
        break;
      }
      if (!*f) break;
      const Decoded d = decode(**f);
      if (const auto* e = std::get_if<DecodeError>(&d)) {
        if (!command::isResponse(e->commandId)) s.out += encode(makeGenericNack(e->sequence, e->status)).value();
        continue;
      }
      handle(s, std::get<Pdu>(d), now);
    }
  }
  return n.ok();
}

void SmscSimulator::serve(std::shared_ptr<Conn> conn) {
  Served s(conn, config_, config_.seed + stats_.connections);
  while (!stopping_ && !conn->drop) {
    const MonoTime now = clock_.monotonic();
    {
      std::lock_guard lock(stallMutex_);
      if (now < stalledUntil_) {
        const auto wait = std::min<Micros>(std::chrono::milliseconds(20), std::chrono::duration_cast<Micros>(stalledUntil_ - now));
        Interrupt never;
        clock_.sleepFor(wait, never);
        continue;
      }
    }
    gatherOutput(s, now);
    if (!s.out.empty()) {
      auto n = conn->connection->writeSome(s.out);
      if (!n.ok()) break;
      s.out.erase(0, *n);
    }
    if (!s.reportBuffer.empty()) {
      std::lock_guard lock(reportMutex_);
      std::fwrite(s.reportBuffer.data(), 1, s.reportBuffer.size(), report_);
      std::fflush(report_);
      s.reportBuffer.clear();
    }
    if (s.closing && s.out.empty()) break;
    int waitMs = 100;
    if (!s.timers.empty())
      waitMs = static_cast<int>(std::clamp<int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(s.timers.top().due - now).count() + 1, 0, 100));
    pollfd fds[2] = {{conn->connection->fd(), static_cast<short>(POLLIN | (s.out.empty() ? 0 : POLLOUT)), 0},
                     {conn->wakeup.fd(), POLLIN, 0}};
    if (!conn->connection->buffered()) ::poll(fds, 2, waitMs);
    if (((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) || conn->connection->buffered()) && !readInput(s)) break;
  }
  conn->connection->close();
  conn->bits = 0;
  std::lock_guard lock(mutex_);
  conns_.erase(std::remove(conns_.begin(), conns_.end(), conn), conns_.end());
}

bool SmscSimulator::injectMo(const std::string& from, const std::string& to, const std::string& body) {
  std::shared_ptr<Conn> target;
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < conns_.size() && !target; ++i) {
      auto& c = conns_[(moCursor_ + i) % conns_.size()];
      if (c->bits & kCanReceive) target = c;
    }
    ++moCursor_;
    if (target) ++stats_.mosSent;
  }
  if (!target) return false;
  Pdu d;
  d.commandId = command::kDeliverSm;
  d.sequence = target->nextSequence();
  ShortMessage m;
  std::string number = from;
  if (!number.empty() && number[0] == '+') number.erase(0, 1);
  m.source = {1, 1, number};
  m.destination = {0, 0, to};
  auto plan = text::planSms(body);
  if (plan.ok() && plan->parts.size() == 1) {
    m.dataCoding = plan->encoding == text::SmsEncoding::kGsm7 ? 0x00 : 0x08;
    m.shortMessage.assign(plan->parts[0].payload.begin(), plan->parts[0].payload.end());
  } else {
    m.dataCoding = 0x08;
    std::vector<uint8_t> utf16;
    auto cps = text::decodeUtf8(body);
    if (!cps.ok()) return false;
    for (char32_t cp : *cps) text::appendUtf16Be(utf16, cp);
    d.addTlvBytes(tlv::kMessagePayload, std::string(utf16.begin(), utf16.end()));
  }
  d.body = m;
  post(*target, encode(d).value());
  return true;
}

void SmscSimulator::dropConnections() {
  std::lock_guard lock(mutex_);
  for (auto& c : conns_) {
    c->drop = true;
    c->wakeup.signal();
  }
}

void SmscSimulator::stall(Micros duration) {
  std::lock_guard lock(stallMutex_);
  stalledUntil_ = clock_.monotonic() + duration;
}

void SmscSimulator::sendGarbage() {
  std::lock_guard lock(mutex_);
  for (auto& c : conns_) {
    c->garbage = true;
    c->wakeup.signal();
  }
}

SmscSimStats SmscSimulator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::string SmscSimulator::summaryJson() const {
  const SmscSimStats s = stats();
  return "{\"event\":\"summary\",\"connections\":" + std::to_string(s.connections) + ",\"binds\":" +
         std::to_string(s.binds) + ",\"submits\":" + std::to_string(s.submits) + ",\"throttled\":" +
         std::to_string(s.throttled) + ",\"refused\":" + std::to_string(s.refused) + ",\"receipts_sent\":" +
         std::to_string(s.receiptsSent) + ",\"mo_sent\":" + std::to_string(s.mosSent) + ",\"deliver_resps\":" +
         std::to_string(s.deliverResps) + "}";
}

}  // namespace tocsin::sim
