// Reading what an AT modem says, as pure string work.
//
// The modem's output is a stream of CR/LF-framed lines, plus the bare "> " prompt of AT+CMGS.
// AtParser cuts it into events: information lines that answer the running command, its final
// result (OK, ERROR, +CMS ERROR: n, +CME ERROR: n), the prompt, and unsolicited result codes
// (+CMTI, +CDS with its PDU line, +CREG, vendor "^" codes...) which can arrive at any moment,
// including in the middle of a command's answer. Replies split across reads are joined; the
// echo of a command is dropped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::modem {

enum class FinalResult { kOk, kError, kCmsError, kCmeError, kNoCarrier };

struct AtEvent {
  enum class Kind { kInfo, kFinal, kPrompt, kUnsolicited };
  Kind kind = Kind::kInfo;
  std::string line;                // the line as received (no CR/LF)
  std::optional<std::string> pdu;  // the hex line that follows +CMT:, +CDS:, +CMGR:, +CMGL:, +CBM:
  FinalResult final = FinalResult::kOk;
  int errorCode = -1;              // for +CMS ERROR / +CME ERROR (-1 when given as text)
};

class AtParser {
 public:
  // What the running command answers with, e.g. "+CSQ:" (an unsolicited "+CREG:" is told apart
  // from the answer to AT+CREG? this way). Empty: none. Call when the command is written.
  void beginCommand(std::string command, std::string responsePrefix);
  void endCommand();
  bool commandRunning() const { return running_; }

  std::vector<AtEvent> feed(std::string_view bytes);
  // Bytes held waiting for the end of a line.
  size_t pending() const { return buffer_.size(); }

 private:
  void line(std::string text, std::vector<AtEvent>& out);
  bool unsolicited(std::string_view text) const;

  std::string buffer_;
  std::string command_;
  std::string responsePrefix_;
  bool running_ = false;
  std::optional<AtEvent> awaitingPdu_;  // a header whose PDU line comes next
};

// "+CSQ: 21,99" -> {"21", "99"}; quotes are removed from quoted fields.
std::vector<std::string> atFields(std::string_view line);

// +CSQ: <rssi>,<ber> (3GPP TS 27.007 8.5). rssi 0 is -113 dBm or less, 31 is -51 dBm or more, two
// dBm a step between; the bit error rate class is 0-7. 99 means "not known" for either.
struct SignalQuality {
  std::optional<int> dbm;
  std::optional<int> bitErrorRate;
};
// nullopt when the line is not a +CSQ answer with two numbers.
std::optional<SignalQuality> parseCsq(std::string_view line);

// +CREG (3GPP TS 27.007 7.2). The answer to AT+CREG? is "+CREG: <n>,<stat>[,<lac>,<ci>[,<AcT>]]";
// the unsolicited result code lacks <n>: "+CREG: <stat>[,<lac>,<ci>[,<AcT>]]". Modems vary in
// spacing and quoting; both are accepted.
enum class CregSource { kAnswer, kUnsolicited };
struct Registration {
  // 0 not registered, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming; newer modems also
  // say 6/7 registered for SMS only (home/roaming), 8 emergency only, 9/10 registered with CSFB
  // not preferred (home/roaming).
  int stat = 4;
  std::optional<std::string> lac, cellId;  // hexadecimal, as sent
  std::optional<int> accessTechnology;     // 0 GSM, 2 UTRAN, 7 E-UTRAN...
  // Whether SMS can be sent: registered at home or roaming, SMS-only included.
  bool canSendSms() const;
};
std::optional<Registration> parseCreg(std::string_view line, CregSource source);

}  // namespace tocsin::modem
