#include "hardware/modem/modem_session.h"

#include <algorithm>
#include <cstdlib>

namespace tocsin::modem {
namespace {

constexpr char kCtrlZ = '\x1A';
constexpr char kEscape = '\x1B';

int toInt(const std::string& s, int fallback = -1) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  return end && end != s.c_str() ? static_cast<int>(v) : fallback;
}

}  // namespace

const char* sendFailureName(SendFailure f) {
  switch (f) {
    case SendFailure::kRetryable: return "retryable";
    case SendFailure::kPermanent: return "permanent";
    case SendFailure::kModemProblem: return "modem problem";
    case SendFailure::kNoAnswer: return "no answer";
  }
  return "";
}

SendFailure classifyCmsError(int code) {
  switch (code) {
    // The number or the message itself is refused (RP / TP causes, PDU problems).
    case 1:    // unassigned number
    case 8:    // operator determined barring
    case 10:   // call barred
    case 21:   // short message transfer rejected
    case 28:   // unidentified subscriber
    case 29:   // facility rejected
    case 96:   // invalid mandatory information
    case 0x81: case 0x82: case 0x8F:            // TP-PID problems
    case 0xC1: case 0xC2: case 0xC3: case 0xC4: // command / TPDU not supported
    case 0xC5:  // destination SME barred
    case 0xC6:  // SM rejected, duplicate
    case 0xC7:  // TP-VPF not supported
    case 0xC8:  // TP-VP not supported
    case 304:   // invalid PDU mode parameter
    case 305:   // invalid text mode parameter
      return SendFailure::kPermanent;
    // This modem cannot send: SIM missing or locked, no SMSC, no subscription.
    case 50:    // requested facility not subscribed
    case 301:   // SMS service of ME reserved
    case 310: case 311: case 312: case 313: case 315: case 316: case 317: case 318:
    case 330:   // SMSC address unknown
      return SendFailure::kModemProblem;
    default:    // congestion, no network for now, SC busy, ME failure, unknown: try again
      return SendFailure::kRetryable;
  }
}

std::string ModemSession::Reply::describe() const {
  if (timedOut) return "no answer";
  switch (final) {
    case FinalResult::kOk: return "OK";
    case FinalResult::kError: return "ERROR";
    case FinalResult::kCmsError: return "+CMS ERROR: " + std::to_string(errorCode);
    case FinalResult::kCmeError: return "+CME ERROR: " + std::to_string(errorCode);
    case FinalResult::kNoCarrier: return "NO CARRIER";
  }
  return "";
}

ModemSession::ModemSession(const ModemConfig& config, ModemEvents& events, MonoTime now, bool recovering)
    : config_(config), events_(events), runningSince_(now), nextPoll_(now + config.pollInterval) {
  outbox_ += kEscape;
  initialise(recovering);
  startNext(now);
}

void ModemSession::queue(std::string text, std::string prefix, std::function<void(const Reply&)> done,
                         std::optional<Micros> timeout, bool front) {
  Command c{std::move(text), std::move(prefix), timeout.value_or(config_.commandTimeout), std::move(done), {}, false};
  if (front) queue_.push_front(std::move(c));
  else queue_.push_back(std::move(c));
}

void ModemSession::startNext(MonoTime now) {
  if (running_ || queue_.empty() || hung_) return;
  running_ = std::move(queue_.front());
  queue_.pop_front();
  collecting_ = Reply{};
  runningSince_ = now;
  parser_.beginCommand(running_->text, running_->responsePrefix);
  if (!running_->pause) outbox_ += running_->text + "\r";
}

void ModemSession::finish(Reply reply, MonoTime now) {
  parser_.endCommand();
  Command c = std::move(*running_);
  running_.reset();
  finishedAt_ = now;
  if (!reply.timedOut) consecutiveTimeouts_ = 0;
  if (c.done) c.done(reply);
  startNext(now);
}

void ModemSession::initialise(bool recovering) {
  auto optional = [](const Reply&) {};
  // Several tries to get in step with a modem that may be mid-command or echoing.
  queue("AT", "", optional, std::chrono::seconds(2));
  queue("AT", "", optional, std::chrono::seconds(2));
  Command settle{"", "", config_.settleTime, nullptr, {}, true};
  queue_.push_back(std::move(settle));
  if (recovering) queue("ATZ", "", optional);
  queue("ATE0", "", [this](const Reply& r) {
    if (!r.ok()) status_.problem = "the modem does not answer AT commands (" + r.describe() + ")";
  });
  queue("AT+CMEE=1", "", optional);
  queue("AT+CPIN?", "+CPIN:", [this](const Reply& r) {
    std::string state;
    for (const auto& l : r.lines)
      if (l.line.rfind("+CPIN:", 0) == 0) state = atFields(l.line)[0];
    if (r.ok() && state == "READY") return;
    if (state == "SIM PIN" && !config_.pin.empty()) {
      queue("AT+CPIN=\"" + config_.pin + "\"", "", [this](const Reply& pin) {
        if (!pin.ok()) status_.problem = "the SIM refused the configured PIN (" + pin.describe() + ")";
      }, std::nullopt, true);
      return;
    }
    status_.problem = state == "SIM PIN" ? "the SIM asks for a PIN and none is configured"
                      : state.empty()    ? "no SIM card (" + r.describe() + ")"
                                         : "the SIM is locked: " + state;
  });
  queue("AT+CGSN", "", [this](const Reply& r) {
    for (const auto& l : r.lines)
      if (!l.line.empty() && l.line[0] != '+') status_.imei = l.line;
  });
  queue("AT+CGMM", "", [this](const Reply& r) {
    for (const auto& l : r.lines)
      if (!l.line.empty()) status_.model = l.line;
  });
  queue("AT+CMGF=0", "", [this](const Reply& r) {
    if (!r.ok()) status_.problem = "the modem refuses PDU mode (" + r.describe() + ")";
  });
  queue("AT+CSMS=0", "+CSMS:", [](const Reply&) {});
  if (config_.smsc) queue("AT+CSCA=\"" + *config_.smsc + "\",145", "", [](const Reply&) {});
  queue("AT+CSCA?", "+CSCA:", [this](const Reply& r) {
    for (const auto& l : r.lines)
      if (l.line.rfind("+CSCA:", 0) == 0) status_.smsc = atFields(l.line)[0];
  });
  // New messages: stored and announced (+CMTI). Status reports: routed (+CDS) if possible,
  // else stored and announced (+CDSI), else none.
  queue("AT+CNMI=2,1,0,1,0", "", [this](const Reply& r) {
    if (r.ok()) return;
    queue("AT+CNMI=2,1,0,2,0", "", [this](const Reply& r2) {
      if (!r2.ok()) queue("AT+CNMI=2,1,0,0,0", "", [](const Reply&) {}, std::nullopt, true);
    }, std::nullopt, true);
  });
  queue("AT+CREG=1", "", [](const Reply&) {});
  queue("AT+CSQ", "+CSQ:", [this](const Reply& r) { readSignal(r); });
  queue("AT+CREG?", "+CREG:", [this](const Reply& r) { readRegistration(r); });
  queue("AT+COPS?", "+COPS:", [this](const Reply& r) {
    for (const auto& l : r.lines)
      if (l.line.rfind("+COPS:", 0) == 0) {
        const auto f = atFields(l.line);
        if (f.size() >= 3) status_.operatorName = f[2];
      }
  });
  // Messages that arrived while nobody listened.
  queue("AT+CMGL=4", "+CMGL:", [this](const Reply& r) {
    std::vector<int> indexes;
    for (const auto& l : r.lines) {
      if (l.line.rfind("+CMGL:", 0) != 0) continue;
      if (l.pdu) handlePdu(*l.pdu);
      indexes.push_back(toInt(atFields(l.line)[0]));
    }
    for (int i : indexes)
      if (i >= 0) queue("AT+CMGD=" + std::to_string(i), "", [](const Reply&) {});
    afterInit();
  }, std::chrono::seconds(30));
}

void ModemSession::readSignal(const Reply& r) {
  for (const auto& l : r.lines)
    if (const auto q = parseCsq(l.line)) status_.signalDbm = q->dbm;
}

void ModemSession::readRegistration(const Reply& r) {
  for (const auto& l : r.lines)
    if (const auto reg = parseCreg(l.line, CregSource::kAnswer)) status_.registration = reg->stat;
}

void ModemSession::afterInit() {
  status_.initFinished = true;
  status_.initialised = status_.problem.empty();
  if (status_.initialised && !status_.registered())
    status_.problem = "not registered on the network (+CREG stat " + std::to_string(status_.registration) + ")";
}

void ModemSession::poll(MonoTime now) {
  if (pollQueued_ || !status_.initialised) return;
  pollQueued_ = true;
  nextPoll_ = now + config_.pollInterval;
  queue("AT+CSQ", "+CSQ:", [this](const Reply& r) { readSignal(r); });
  queue("AT+CREG?", "+CREG:", [this](const Reply& r) {
    pollQueued_ = false;
    readRegistration(r);
    status_.problem = status_.registered() ? "" : "not registered on the network (+CREG stat " +
                                                      std::to_string(status_.registration) + ")";
  });
}

void ModemSession::handlePdu(const std::string& hex) {
  auto m = tpdu::decodePduMode(hex);
  if (!m.ok()) return;  // a damaged stored message: nothing to deliver (it is deleted anyway)
  if (const auto* r = std::get_if<tpdu::SmsStatusReport>(&m->tpdu)) events_.onStatusReport(*r);
  else if (const auto* d = std::get_if<tpdu::SmsDeliver>(&m->tpdu)) events_.onIncoming(*d);
}

void ModemSession::readStored(const std::string& memory, int index) {
  const bool otherMemory = memory != readMemory_;
  if (otherMemory) queue("AT+CPMS=\"" + memory + "\"", "+CPMS:", [](const Reply&) {});
  queue("AT+CMGR=" + std::to_string(index), "+CMGR:", [this](const Reply& r) {
    for (const auto& l : r.lines)
      if (l.pdu) handlePdu(*l.pdu);
  });
  queue("AT+CMGD=" + std::to_string(index), "", [](const Reply&) {});
  if (otherMemory) queue("AT+CPMS=\"" + readMemory_ + "\"", "+CPMS:", [](const Reply&) {});
}

void ModemSession::handleUnsolicited(const AtEvent& e) {
  const std::string& l = e.line;
  if (l.rfind("+CMTI:", 0) == 0 || l.rfind("+CDSI:", 0) == 0) {
    const auto f = atFields(l);
    if (f.size() >= 2) readStored(f[0], toInt(f[1]));
  } else if ((l.rfind("+CDS:", 0) == 0 || l.rfind("+CMT:", 0) == 0) && e.pdu) {
    handlePdu(*e.pdu);
  } else if (const auto reg = parseCreg(l, CregSource::kUnsolicited)) {
    status_.registration = reg->stat;
    if (status_.initialised)
      status_.problem = status_.registered() ? "" : "lost the network (+CREG stat " + std::to_string(status_.registration) + ")";
  }
}

void ModemSession::onBytes(std::string_view data, MonoTime now) {
  for (AtEvent& e : parser_.feed(data)) {
    switch (e.kind) {
      case AtEvent::Kind::kUnsolicited: handleUnsolicited(e); break;
      case AtEvent::Kind::kPrompt:
        if (running_ && running_->afterPrompt) {
          outbox_ += *running_->afterPrompt;
          outbox_ += kCtrlZ;
          running_->afterPrompt.reset();
        }
        break;
      case AtEvent::Kind::kInfo:
        if (running_ && !running_->pause) collecting_.lines.push_back(std::move(e));
        break;
      case AtEvent::Kind::kFinal:
        if (!running_ || running_->pause) break;  // a late answer to a command we gave up on
        collecting_.final = e.final;
        collecting_.errorCode = e.errorCode;
        finish(std::move(collecting_), now);
        break;
    }
  }
  onTick(now);
}

void ModemSession::onTick(MonoTime now) {
  if (hung_) return;
  if (running_ && running_->pause && now - runningSince_ >= running_->timeout) {
    finish(Reply{}, now);
  } else if (running_ && now - runningSince_ >= running_->timeout) {
    if (running_->afterPrompt) {
      // Still waiting for the "> " prompt: nothing was sent.
    } else if (running_->text.rfind("AT+CMGS", 0) == 0) {
      outbox_ += kEscape;  // abandon a PDU the modem may still be reading
    }
    ++consecutiveTimeouts_;
    const std::string text = running_->text;
    Reply r;
    r.timedOut = true;
    finish(std::move(r), now);
    if (consecutiveTimeouts_ >= config_.timeoutsBeforeHang) {
      hung_ = "the modem stopped answering (" + text + " and " + std::to_string(consecutiveTimeouts_ - 1) +
              " command(s) before it)";
      status_.initialised = false;
      status_.problem = *hung_;
      return;
    }
  }
  if (now >= nextPoll_) poll(now);
  startNext(now);
}

bool ModemSession::readyToSend(MonoTime now) const {
  return !hung_ && status_.initialised && status_.registered() && !sending_ &&
         now - lastSendEnded_ >= config_.minSendInterval;
}

void ModemSession::send(SendJob job, MonoTime now) {
  sending_ = true;
  const uint64_t token = job.token;
  Command c{"AT+CMGS=" + std::to_string(job.tpduLength), "+CMGS:", config_.sendTimeout,
            [this, token](const Reply& r) {
              sending_ = false;
              lastSendEnded_ = finishedAt_;
              if (r.ok()) {
                for (const auto& l : r.lines)
                  if (l.line.rfind("+CMGS:", 0) == 0) {
                    events_.onSent(token, static_cast<uint8_t>(toInt(atFields(l.line)[0], 0)));
                    return;
                  }
                events_.onSent(token, 0);  // some modems leave out the reference
                return;
              }
              SendFailure kind = r.timedOut ? SendFailure::kNoAnswer : SendFailure::kRetryable;
              if (r.final == FinalResult::kCmsError) kind = classifyCmsError(r.errorCode);
              else if (r.final == FinalResult::kCmeError && (r.errorCode == 10 || r.errorCode == 11 || r.errorCode == 13))
                kind = SendFailure::kModemProblem;
              events_.onSendFailed(token, kind, "AT+CMGS: " + r.describe());
            },
            std::move(job.pduHex), false};
  // Sends go after what is already queued for this modem, but before routine polling.
  queue_.push_front(std::move(c));
  startNext(now);
}

MonoTime ModemSession::nextWakeup(MonoTime now) const {
  MonoTime next = nextPoll_;
  if (running_) next = std::min(next, runningSince_ + running_->timeout);
  if (!sending_ && config_.minSendInterval.count() > 0) next = std::min(next, lastSendEnded_ + config_.minSendInterval);
  return std::max(now, next);
}

}  // namespace tocsin::modem
