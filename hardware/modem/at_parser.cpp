#include "hardware/modem/at_parser.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace tocsin::modem {
namespace {

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool iequalsPrefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(s[i])) != std::toupper(static_cast<unsigned char>(prefix[i]))) return false;
  return true;
}

// Lines followed by a PDU line.
bool carriesPdu(std::string_view text) {
  return startsWith(text, "+CMT:") || startsWith(text, "+CDS:") || startsWith(text, "+CMGR:") ||
         startsWith(text, "+CMGL:") || startsWith(text, "+CBM:");
}

std::optional<AtEvent> finalResult(std::string_view text) {
  AtEvent e;
  e.kind = AtEvent::Kind::kFinal;
  e.line = std::string(text);
  auto code = [&](std::string_view prefix) {
    const auto rest = text.substr(prefix.size());
    char* end = nullptr;
    const std::string s(rest);
    const long v = std::strtol(s.c_str(), &end, 10);
    return end && end != s.c_str() ? static_cast<int>(v) : -1;
  };
  if (text == "OK") e.final = FinalResult::kOk;
  else if (text == "ERROR") e.final = FinalResult::kError;
  else if (startsWith(text, "+CMS ERROR:")) {
    e.final = FinalResult::kCmsError;
    e.errorCode = code("+CMS ERROR:");
  } else if (startsWith(text, "+CME ERROR:")) {
    e.final = FinalResult::kCmeError;
    e.errorCode = code("+CME ERROR:");
  } else if (text == "NO CARRIER" || text == "BUSY" || text == "NO ANSWER" || text == "NO DIALTONE") {
    e.final = FinalResult::kNoCarrier;
  } else {
    return std::nullopt;
  }
  return e;
}

}  // namespace

std::vector<std::string> atFields(std::string_view line) {
  std::vector<std::string> out;
  const auto colon = line.find(':');
  std::string_view rest = colon == std::string_view::npos ? line : line.substr(colon + 1);
  std::string field;
  bool quoted = false;
  for (char c : rest) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(field);
      field.clear();
    } else if (!(field.empty() && c == ' ' && !quoted)) {
      field += c;
    }
  }
  out.push_back(field);
  return out;
}

namespace {

// A whole number, spaces around it allowed; nullopt for anything else.
std::optional<int> number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty() || s.size() > 6) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<std::string> hexField(const std::string& s) {
  std::string t;
  for (char c : s)
    if (c != ' ') t += c;
  if (t.empty() || t.size() > 8 || t.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return std::nullopt;
  return t;
}

}  // namespace

std::optional<SignalQuality> parseCsq(std::string_view line) {
  if (!startsWith(line, "+CSQ:")) return std::nullopt;
  const auto f = atFields(line);
  if (f.size() != 2) return std::nullopt;
  const auto rssi = number(f[0]), ber = number(f[1]);
  if (!rssi || !ber || (*rssi > 31 && *rssi != 99) || (*ber > 7 && *ber != 99)) return std::nullopt;
  SignalQuality q;
  if (*rssi != 99) q.dbm = -113 + 2 * *rssi;
  if (*ber != 99) q.bitErrorRate = *ber;
  return q;
}

bool Registration::canSendSms() const { return stat == 1 || stat == 5 || stat == 6 || stat == 7 || stat == 9 || stat == 10; }

std::optional<Registration> parseCreg(std::string_view line, CregSource source) {
  if (!startsWith(line, "+CREG:")) return std::nullopt;
  auto f = atFields(line);
  if (source == CregSource::kAnswer) {
    if (f.size() < 2 || !number(f[0])) return std::nullopt;
    f.erase(f.begin());  // <n>, the presentation mode
  }
  if (f.empty() || f.size() > 4 || f.size() == 2) return std::nullopt;
  const auto stat = number(f[0]);
  if (!stat || *stat > 10) return std::nullopt;
  Registration r;
  r.stat = *stat;
  if (f.size() >= 3) {
    r.lac = hexField(f[1]);
    r.cellId = hexField(f[2]);
    if (!r.lac || !r.cellId) return std::nullopt;
  }
  if (f.size() == 4) {
    r.accessTechnology = number(f[3]);
    if (!r.accessTechnology) return std::nullopt;
  }
  return r;
}

void AtParser::beginCommand(std::string command, std::string responsePrefix) {
  command_ = std::move(command);
  responsePrefix_ = std::move(responsePrefix);
  running_ = true;
}

void AtParser::endCommand() {
  running_ = false;
  command_.clear();
  responsePrefix_.clear();
}

bool AtParser::unsolicited(std::string_view text) const {
  // The running command's own answer is never unsolicited, whatever its prefix.
  if (running_ && !responsePrefix_.empty() && startsWith(text, responsePrefix_)) return false;
  static const std::string_view kUrcs[] = {"+CMTI:", "+CDSI:", "+CMT:", "+CDS:", "+CBM:", "+CREG:", "+CGREG:",
                                           "+CEREG:", "RING", "+CRING:", "+CLIP:", "+CIEV:", "+CUSD:",
                                           "+PBREADY", "+CPIN:", "SMS Ready", "Call Ready", "+QIND:", "+ZDONR:"};
  if (!text.empty() && text[0] == '^') return true;  // Huawei and others: ^RSSI, ^BOOT, ^MODE...
  for (auto u : kUrcs)
    if (startsWith(text, u)) {
      // +CPIN: answers AT+CPIN? but also comes unsolicited after a SIM change.
      return !(u == "+CPIN:" && running_ && iequalsPrefix(command_, "AT+CPIN"));
    }
  // Outside a command, anything the modem says is unsolicited.
  return !running_;
}

void AtParser::line(std::string text, std::vector<AtEvent>& out) {
  // Line noise (a modem powering up, a baud-rate mismatch) shows as NUL and 0xFF bytes and other
  // control characters; they are never part of an answer.
  std::erase_if(text, [](char c) { return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0xFF; });
  // Blank lines frame everything (and sit between a +CDS header and its PDU on some modems).
  if (text.empty()) return;
  if (awaitingPdu_) {
    AtEvent e = std::move(*awaitingPdu_);
    awaitingPdu_.reset();
    if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
      e.pdu = std::move(text);
      out.push_back(std::move(e));
      return;
    }
    out.push_back(std::move(e));  // the PDU never came: hand on the header alone
  }
  // The echo of a command line (echo on, before ATE0 takes effect or after a modem reset).
  if (iequalsPrefix(text, "AT")) return;
  if (auto f = finalResult(text)) {
    out.push_back(std::move(*f));
    return;
  }
  AtEvent e;
  e.kind = unsolicited(text) ? AtEvent::Kind::kUnsolicited : AtEvent::Kind::kInfo;
  e.line = std::move(text);
  if (carriesPdu(e.line)) {
    awaitingPdu_ = std::move(e);
    return;
  }
  out.push_back(std::move(e));
}

std::vector<AtEvent> AtParser::feed(std::string_view bytes) {
  std::vector<AtEvent> out;
  buffer_.append(bytes);
  size_t start = 0;
  for (size_t i = 0; i < buffer_.size(); ++i) {
    const char c = buffer_[i];
    if (c == '\r' || c == '\n') {
      line(buffer_.substr(start, i - start), out);
      start = i + 1;
      continue;
    }
    // The AT+CMGS prompt "> " ends no line; it stands alone at the start of one.
    if (c == '>' && i == start && i + 1 < buffer_.size() && buffer_[i + 1] == ' ' && !awaitingPdu_) {
      AtEvent p;
      p.kind = AtEvent::Kind::kPrompt;
      p.line = "> ";
      out.push_back(std::move(p));
      start = i + 2;
      ++i;
    }
  }
  buffer_.erase(0, start);
  // A prompt some modems send without the space, and nothing after it yet.
  if (buffer_ == ">" && running_ && iequalsPrefix(command_, "AT+CMGS")) {
    AtEvent p;
    p.kind = AtEvent::Kind::kPrompt;
    p.line = ">";
    out.push_back(std::move(p));
    buffer_.clear();
  }
  return out;
}

}  // namespace tocsin::modem
