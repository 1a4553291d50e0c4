#include "hardware/sim/modem_emulator.h"

#include <algorithm>
#include <cstdlib>

#include "common/base/json_text.h"
#include "common/text/gsm7.h"
#include "common/text/sms_text.h"
#include "hardware/modem/at_parser.h"
#include "hardware/tpdu/tpdu.h"

namespace tocsin::sim {
namespace {

constexpr char kCtrlZ = '\x1A';
constexpr char kEscape = '\x1B';

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

tpdu::ServiceTime serviceTime(Timestamp t) {
  const std::string iso = formatUtc(t);  // YYYY-MM-DDThh:mm:ss
  tpdu::ServiceTime s;
  s.year = std::atoi(iso.substr(0, 4).c_str());
  s.month = std::atoi(iso.substr(5, 2).c_str());
  s.day = std::atoi(iso.substr(8, 2).c_str());
  s.hour = std::atoi(iso.substr(11, 2).c_str());
  s.minute = std::atoi(iso.substr(14, 2).c_str());
  s.second = std::atoi(iso.substr(17, 2).c_str());
  return s;
}

// Splits "AT+CMEE=1;+CREG=2" into its commands, each with its "AT" prefix.
std::vector<std::string> splitCommands(const std::string& line) {
  std::vector<std::string> out;
  std::string body = line.substr(2), cur;
  bool quoted = false;
  for (char c : body) {
    if (c == '"') quoted = !quoted;
    if (c == ';' && !quoted) {
      out.push_back("AT" + cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!cur.empty() || out.empty()) out.push_back("AT" + cur);
  return out;
}

int number(const std::string& s, int fallback = -1) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  return end && end != s.c_str() ? static_cast<int>(v) : fallback;
}

}  // namespace

ModemEmulator::ModemEmulator(ModemEmulatorConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock), pinEntered_(config_.pin.empty()) {
  storage_["SM"];
  storage_["ME"];
  storage_["SR"];
}

std::string ModemEmulator::takeOutput() {
  std::string out;
  out.swap(output_);
  return out;
}

std::vector<SentSms> ModemEmulator::takeSent() {
  std::vector<SentSms> out;
  out.swap(sent_);
  return out;
}

std::optional<MonoTime> ModemEmulator::nextEvent() const {
  if (pending_.empty()) return std::nullopt;
  MonoTime next = pending_.front().due;
  for (const auto& p : pending_) next = std::min(next, p.due);
  return next;
}

void ModemEmulator::tick(MonoTime now) {
  if (hung_) return;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->due <= now) {
      out(it->output);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
}

std::string ModemEmulator::error(int cms, int cme) const {
  if (cms >= 0) return "\r\n+CMS ERROR: " + std::to_string(cms) + "\r\n";
  if (cme >= 0 && cmee_ == 1) return "\r\n+CME ERROR: " + std::to_string(cme) + "\r\n";
  return "\r\nERROR\r\n";
}

void ModemEmulator::input(std::string_view bytes, MonoTime now) {
  if (hung_) return;  // a hung modem hears nothing
  for (char c : bytes) {
    if (pduLength_) {
      if (echo_) output_ += c;
      if (c == kCtrlZ) {
        std::string hex;
        hex.swap(inbuf_);
        finishPdu(std::move(hex), now);
      } else if (c == kEscape) {
        inbuf_.clear();
        pduLength_.reset();
        out("\r\nOK\r\n");
      } else if (c != '\r' && c != '\n') {
        inbuf_ += c;
      }
      continue;
    }
    if (echo_) output_ += c;
    if (c == '\r') {
      std::string l;
      l.swap(inbuf_);
      line(std::move(l), now);
    } else if (c != '\n') {
      inbuf_ += c;
    }
  }
}

void ModemEmulator::line(std::string text, MonoTime now) {
  while (!text.empty() && (text.back() == ' ')) text.pop_back();
  while (!text.empty() && (text.front() == ' ' || static_cast<unsigned char>(text.front()) < 0x20)) text.erase(0, 1);
  if (text.size() < 2 || upper(text.substr(0, 2)) != "AT") return;  // noise before the first command
  std::string info;
  for (const std::string& cmd : splitCommands(text)) {
    int cms = -1, cme = -1;
    if (!execute(cmd, info, now, cms, cme)) {
      out(info);
      out(error(cms, cme));
      return;
    }
    if (pduLength_) {  // AT+CMGS: the prompt, then the PDU
      out("\r\n> ");
      return;
    }
  }
  out(info);
  out("\r\nOK\r\n");
}

bool ModemEmulator::execute(const std::string& raw, std::string& info, MonoTime, int& cms, int& cme) {
  const std::string cmd = upper(raw);
  auto say = [&](const std::string& s) { info += "\r\n" + s + "\r\n"; };
  auto args = [&](size_t from) { return modem::atFields(":" + raw.substr(from)); };
  auto needSim = [&]() {
    if (pinEntered_) return true;
    cms = -1;
    cme = 11;  // SIM PIN required
    return false;
  };
  if (cmd == "ATZ" || cmd == "AT&F") {  // back to the stored profile: echo on, numeric errors off
    echo_ = true;
    cmee_ = 0;
    return true;
  }
  if (cmd == "AT" || cmd == "ATQ0" || cmd == "ATV1" || cmd == "AT&C1" || cmd == "AT&D2")
    return true;
  if (cmd == "ATE0" || cmd == "ATE1") {
    echo_ = cmd == "ATE1";
    return true;
  }
  if (cmd == "ATI" || cmd == "ATI0") {
    say(config_.manufacturer + " " + config_.model);
    return true;
  }
  if (cmd == "AT+CGMI" || cmd == "AT+GMI") return say(config_.manufacturer), true;
  if (cmd == "AT+CGMM" || cmd == "AT+GMM") return say(config_.model), true;
  if (cmd == "AT+CGMR" || cmd == "AT+GMR") return say(config_.revision), true;
  if (cmd == "AT+CGSN" || cmd == "AT+GSN") return say(config_.imei), true;
  if (cmd == "AT+CIMI") return needSim() && (say(config_.imsi), true);
  if (cmd.rfind("AT+CMEE=", 0) == 0) {
    cmee_ = number(raw.substr(8), 0);
    return true;
  }
  if (cmd == "AT+CMEE?") return say("+CMEE: " + std::to_string(cmee_)), true;
  if (cmd == "AT+CPIN?") return say(pinEntered_ ? "+CPIN: READY" : "+CPIN: SIM PIN"), true;
  if (cmd.rfind("AT+CPIN=", 0) == 0) {
    const auto a = args(8);
    if (!a.empty() && a[0] == config_.pin) {
      pinEntered_ = true;
      return true;
    }
    cme = 16;  // incorrect password
    return false;
  }
  if (cmd == "AT+CSQ") return say("+CSQ: " + std::to_string(rssi_) + ",99"), true;
  if (cmd.rfind("AT+CREG=", 0) == 0 || cmd.rfind("AT+CGREG=", 0) == 0) {
    if (cmd.rfind("AT+CREG=", 0) == 0) cregMode_ = number(raw.substr(8), 0);
    return true;
  }
  if (cmd == "AT+CREG?") return say("+CREG: " + std::to_string(cregMode_) + "," + std::to_string(registration_)), true;
  if (cmd == "AT+CGREG?") return say("+CGREG: 0," + std::to_string(registration_)), true;
  if (cmd == "AT+COPS?") return say(registration_ == 1 || registration_ == 5 ? "+COPS: 0,0,\"Tocsin Mobile\"" : "+COPS: 0"), true;
  if (cmd == "AT+CFUN?") return say("+CFUN: 1"), true;
  if (cmd.rfind("AT+CFUN=", 0) == 0) return true;
  if (cmd == "AT+CMGF=?") return say("+CMGF: (0,1)"), true;
  if (cmd == "AT+CMGF?") return say("+CMGF: " + std::to_string(cmgf_)), true;
  if (cmd.rfind("AT+CMGF=", 0) == 0) {
    cmgf_ = number(raw.substr(8), 0);
    return true;
  }
  if (cmd == "AT+CSCS=?") return say("+CSCS: (\"GSM\",\"IRA\",\"UCS2\",\"HEX\")"), true;
  if (cmd == "AT+CSCS?") return say("+CSCS: \"" + cscs_ + "\""), true;
  if (cmd.rfind("AT+CSCS=", 0) == 0) {
    cscs_ = args(8)[0];
    return true;
  }
  if (cmd == "AT+CSCA?") return needSim() && (say("+CSCA: \"" + config_.smsc + "\",145"), true);
  if (cmd.rfind("AT+CSCA=", 0) == 0) {
    config_.smsc = args(8)[0];
    return true;
  }
  if (cmd == "AT+CSMS?") return say("+CSMS: 0,1,1,1"), true;
  if (cmd == "AT+CSMS=?") return say("+CSMS: (0,1)"), true;
  if (cmd.rfind("AT+CSMS=", 0) == 0) return say("+CSMS: 1,1,1"), true;
  if (cmd == "AT+CSMP?") return say("+CSMP: 17,167,0,0"), true;
  if (cmd.rfind("AT+CSMP=", 0) == 0) return true;
  if (cmd == "AT+CNMI=?") return say("+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"), true;
  if (cmd == "AT+CNMI?")
    return say("+CNMI: " + std::to_string(cnmi_[0]) + "," + std::to_string(cnmi_[1]) + "," + std::to_string(cnmi_[2]) +
               "," + std::to_string(cnmi_[3]) + "," + std::to_string(cnmi_[4])),
           true;
  if (cmd.rfind("AT+CNMI=", 0) == 0) {
    const auto a = args(8);
    for (size_t i = 0; i < 5; ++i) cnmi_[i] = i < a.size() ? number(a[i], 0) : 0;
    return true;
  }
  if (cmd == "AT+CPMS=?") return say("+CPMS: (\"SM\",\"ME\",\"SR\"),(\"SM\",\"ME\"),(\"SM\",\"ME\")"), true;
  auto usage = [&](const std::string& mem) {
    return std::to_string(storage_[mem].size()) + "," + std::to_string(config_.storageSize);
  };
  if (cmd == "AT+CPMS?") {
    if (!needSim()) return false;
    say("+CPMS: \"" + memRead_ + "\"," + usage(memRead_) + ",\"SM\"," + usage("SM") + ",\"SM\"," + usage("SM"));
    return true;
  }
  if (cmd.rfind("AT+CPMS=", 0) == 0) {
    if (!needSim()) return false;
    const auto a = args(8);
    if (!a.empty() && storage_.count(a[0]) == 0) {
      cms = 302;
      return false;
    }
    if (!a.empty()) memRead_ = a[0];
    say("+CPMS: " + usage(memRead_) + "," + usage("SM") + "," + usage("SM"));
    return true;
  }
  if (cmd.rfind("AT+CMGL", 0) == 0) {
    if (!needSim()) return false;
    const int which = cmd.size() > 8 ? number(raw.substr(8), 4) : 0;
    for (auto& [idx, s] : storage_[memRead_]) {
      if (which != 4 && s.status != which) continue;
      say("+CMGL: " + std::to_string(idx) + "," + std::to_string(s.status) + ",," + std::to_string(s.tpduLength));
      info.erase(info.size() - 2);
      info += "\r\n" + s.pdu + "\r\n";
      if (s.status == 0) s.status = 1;
    }
    return true;
  }
  if (cmd.rfind("AT+CMGR=", 0) == 0) {
    if (!needSim()) return false;
    auto& mem = storage_[memRead_];
    auto it = mem.find(number(raw.substr(8)));
    if (it == mem.end()) {
      cms = 321;  // invalid memory index
      return false;
    }
    say("+CMGR: " + std::to_string(it->second.status) + ",," + std::to_string(it->second.tpduLength));
    info.erase(info.size() - 2);
    info += "\r\n" + it->second.pdu + "\r\n";
    if (it->second.status == 0) it->second.status = 1;
    return true;
  }
  if (cmd.rfind("AT+CMGD=", 0) == 0) {
    const auto a = args(8);
    const int flag = a.size() > 1 ? number(a[1], 0) : 0;
    auto& mem = storage_[memRead_];
    if (flag == 0) mem.erase(number(a[0]));
    else
      for (auto it = mem.begin(); it != mem.end();)
        it = (flag == 4 || it->second.status == 1 || (flag >= 2 && it->second.status == 3)) ? mem.erase(it) : std::next(it);
    return true;
  }
  if (cmd == "AT+CNMA") return true;
  if (cmd.rfind("AT+CMGS=", 0) == 0) {
    if (!needSim()) return false;
    if (cmgf_ != 0) {
      cms = 303;  // this simulator speaks PDU mode only
      return false;
    }
    const int len = number(raw.substr(8));
    if (len < 7 || len > 164) {
      cms = 304;
      return false;
    }
    pduLength_ = static_cast<size_t>(len);
    return true;
  }
  cme = 4;  // operation not supported
  return false;
}

void ModemEmulator::finishPdu(std::string hex, MonoTime now) {
  const size_t declared = *pduLength_;
  pduLength_.reset();
  auto fail = [&](int code) { out("\r\n+CMS ERROR: " + std::to_string(code) + "\r\n"); };
  auto m = tpdu::decodePduMode(hex);
  if (!m.ok() || m->tpduLength != declared || !std::holds_alternative<tpdu::SmsSubmit>(m->tpdu)) return fail(304);
  if (registration_ != 1 && registration_ != 5) return fail(331);  // no network service
  if (failSends_ > 0) {
    --failSends_;
    pending_.push_back({now + std::chrono::milliseconds(200), "\r\n+CMS ERROR: " + std::to_string(failCode_) + "\r\n"});
    return;
  }
  const auto& submit = std::get<tpdu::SmsSubmit>(m->tpdu);
  const int mr = nextReference_;
  nextReference_ = (nextReference_ + 1) % 256;
  SentSms s;
  s.destination = submit.destination.toString();
  s.text = submit.userData.text;
  s.pdu = hex;
  s.messageReference = mr;
  s.statusReportRequested = submit.statusReportRequest;
  if (auto c = submit.userData.concatenation())
    s.concat = "{\"ref\":" + std::to_string(c->reference) + ",\"total\":" + std::to_string(c->total) + ",\"seq\":" +
               std::to_string(c->sequence) + "}";
  sent_.push_back(s);
  const MonoTime done = now + config_.sendDelay;
  pending_.push_back({done, "\r\n+CMGS: " + std::to_string(mr) + "\r\n\r\nOK\r\n"});
  if (!submit.statusReportRequest || cnmi_[3] == 0) return;
  // The status report, as the SMSC would send it back to this phone.
  const bool failed = config_.undeliverableRatio > 0 &&
                      static_cast<double>(++reportCount_ % 100) < config_.undeliverableRatio * 100;
  tpdu::Bytes t{0x06, static_cast<uint8_t>(mr)};
  const auto ra = tpdu::encodeAddress(submit.destination);
  t.insert(t.end(), ra.begin(), ra.end());
  const auto ts = tpdu::encodeServiceTime(serviceTime(clock_.now() + config_.sendDelay));
  t.insert(t.end(), ts.begin(), ts.end());
  t.insert(t.end(), ts.begin(), ts.end());
  t.push_back(failed ? 0x41 : 0x00);
  const std::string pdu = "00" + tpdu::toHexUpper(t);
  if (cnmi_[3] == 1) {
    pending_.push_back({done + config_.reportDelay, "\r\n+CDS: " + std::to_string(t.size()) + "\r\n" + pdu + "\r\n"});
  } else {
    const int index = store("SR", Stored{0, pdu, t.size()});
    if (index >= 0) pending_.push_back({done + config_.reportDelay, "\r\n+CDSI: \"SR\"," + std::to_string(index) + "\r\n"});
  }
}

int ModemEmulator::store(const std::string& memory, Stored s) {
  auto& mem = storage_[memory];
  if (static_cast<int>(mem.size()) >= config_.storageSize) return -1;
  int index = 1;
  while (mem.count(index)) ++index;
  mem[index] = std::move(s);
  return index;
}

void ModemEmulator::injectIncoming(const std::string& from, const std::string& body) {
  const Timestamp at = clock_.now();
  auto plan = text::planSms(body);
  if (!plan.ok()) return;
  auto oa = tpdu::makeAddress(from);
  if (!oa.ok()) return;
  const auto ts = tpdu::encodeServiceTime(serviceTime(at));
  const uint16_t ref = static_cast<uint16_t>(reportCount_++ & 0xFF);
  for (size_t k = 0; k < plan->parts.size(); ++k) {
    const auto& part = plan->parts[k];
    const bool concat = plan->parts.size() > 1;
    const auto udh = concat ? text::concatenationUdh(ref, static_cast<uint8_t>(plan->parts.size()),
                                                     static_cast<uint8_t>(k + 1), false)
                            : std::vector<uint8_t>{};
    tpdu::Bytes t{static_cast<uint8_t>(0x04 | (concat ? 0x40 : 0x00))};
    const auto a = tpdu::encodeAddress(*oa);
    t.insert(t.end(), a.begin(), a.end());
    t.push_back(0x00);
    t.push_back(plan->encoding == text::SmsEncoding::kGsm7 ? 0x00 : 0x08);
    t.insert(t.end(), ts.begin(), ts.end());
    if (plan->encoding == text::SmsEncoding::kGsm7) {
      const size_t headerSeptets = (udh.size() * 8 + 6) / 7;
      t.push_back(static_cast<uint8_t>(headerSeptets + part.payload.size()));
      t.insert(t.end(), udh.begin(), udh.end());
      const auto packed = text::packSeptets(part.payload.data(), part.payload.size(),
                                            static_cast<int>(headerSeptets * 7 - udh.size() * 8));
      t.insert(t.end(), packed.begin(), packed.end());
    } else {
      t.push_back(static_cast<uint8_t>(udh.size() + part.payload.size()));
      t.insert(t.end(), udh.begin(), udh.end());
      t.insert(t.end(), part.payload.begin(), part.payload.end());
    }
    const std::string pdu = "07913306091093F0" + tpdu::toHexUpper(t);  // arrives through our SMSC
    if (cnmi_[1] == 2) {
      out("\r\n+CMT: ," + std::to_string(t.size()) + "\r\n" + pdu + "\r\n");
      continue;
    }
    const int index = store("SM", Stored{0, pdu, t.size()});
    if (index >= 0 && cnmi_[1] == 1) out("\r\n+CMTI: \"SM\"," + std::to_string(index) + "\r\n");
  }
}

void ModemEmulator::setSignal(int rssi) { rssi_ = rssi; }

void ModemEmulator::setRegistration(int stat) {
  if (stat == registration_) return;
  registration_ = stat;
  if (cregMode_ >= 1 && !hung_) out("\r\n+CREG: " + std::to_string(stat) + "\r\n");
}

}  // namespace tocsin::sim
