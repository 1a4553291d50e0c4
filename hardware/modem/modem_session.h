// One GSM modem's AT conversation, as a pure state machine.
//
// Like SmppSession: no port, no thread, no clock reads. The driver feeds it the bytes the modem
// sends and the time, writes its outbox to the port, and reopens the port when hungReason() is
// set. One command runs at a time; unsolicited codes are handled whenever they arrive and may
// queue follow-up commands (read and delete a stored message).
//
// Lifecycle: ESC (leaves a half-written AT+CMGS from a previous run), AT sync, a short quiet
// time that swallows late answers owed to an earlier program (or to commands sent before a hang)
// so that every later answer lines up with its command, ATZ after a hang, ATE0, AT+CMEE=1, SIM PIN, identity, AT+CMGF=0 (PDU mode), AT+CSMS=0,
// AT+CNMI (new messages stored and announced; status reports routed directly, or stored and
// announced when the modem cannot route them), then signal and registration; messages stored
// while Tocsin was away are read and deleted. Ready once registered (home or roaming).
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "common/base/time.h"
#include "hardware/modem/at_parser.h"
#include "hardware/modem/modem_config.h"
#include "hardware/tpdu/tpdu.h"

namespace tocsin::modem {

enum class SendFailure {
  kRetryable,     // try again, here or on another modem (network busy, timeout)
  kPermanent,     // this message will not go anywhere as it is (barred, invalid number)
  kModemProblem,  // this modem cannot send now (SIM, network, SMSC setting): use another
  kNoAnswer,      // the modem never answered AT+CMGS: the message may or may not have gone out
};
const char* sendFailureName(SendFailure f);
// +CMS ERROR codes (TS 27.005 3.2.5, with RP and TP causes below 256) by what they mean for us.
SendFailure classifyCmsError(int code);

struct SendJob {
  uint64_t token = 0;
  std::string pduHex;   // SMSC field + TPDU
  size_t tpduLength = 0;
};

class ModemEvents {
 public:
  virtual ~ModemEvents() = default;
  virtual void onSent(uint64_t token, uint8_t messageReference) = 0;
  virtual void onSendFailed(uint64_t token, SendFailure kind, const std::string& reason) = 0;
  virtual void onStatusReport(const tpdu::SmsStatusReport& report) = 0;
  virtual void onIncoming(const tpdu::SmsDeliver& message) = 0;
};

struct ModemStatus {
  bool initialised = false;
  int registration = -1;              // +CREG stat: 1 home, 5 roaming, 2 searching, 3 denied...
  std::optional<int> signalDbm;       // from +CSQ
  std::string imei;
  std::string model;
  std::string operatorName;           // +COPS
  std::string smsc;                   // +CSCA: the service centre the SIM sends through
  bool initFinished = false;          // the init sequence ran to its end (successfully or not)
  std::string problem;                // why it cannot send, for operators
  bool registered() const { return Registration{registration, {}, {}, {}}.canSendSms(); }
};

class ModemSession {
 public:
  // `recovering`: the modem was found hung before; the init starts with a soft reset (ATZ).
  ModemSession(const ModemConfig& config, ModemEvents& events, MonoTime now, bool recovering = false);

  void onBytes(std::string_view data, MonoTime now);
  void onTick(MonoTime now);
  // Initialised, registered, no send running, and the SIM's send interval has passed.
  bool readyToSend(MonoTime now) const;
  bool sending() const { return sending_; }
  // REQUIRES: readyToSend(now).
  void send(SendJob job, MonoTime now);

  std::string& outbox() { return outbox_; }
  const std::optional<std::string>& hungReason() const { return hung_; }
  const ModemStatus& status() const { return status_; }
  MonoTime nextWakeup(MonoTime now) const;

 private:
  struct Reply {
    std::vector<AtEvent> lines;
    FinalResult final = FinalResult::kOk;
    int errorCode = -1;
    bool timedOut = false;
    bool ok() const { return !timedOut && final == FinalResult::kOk; }
    std::string describe() const;
  };
  struct Command {
    std::string text;
    std::string responsePrefix;
    Micros timeout;
    std::function<void(const Reply&)> done;
    std::optional<std::string> afterPrompt;
    bool pause = false;  // no command: waits `timeout`, discarding answers that were owed to others
  };

  void queue(std::string text, std::string prefix, std::function<void(const Reply&)> done,
             std::optional<Micros> timeout = std::nullopt, bool front = false);
  void startNext(MonoTime now);
  void finish(Reply reply, MonoTime now);
  void handleUnsolicited(const AtEvent& e);
  void readStored(const std::string& memory, int index);
  void handlePdu(const std::string& hex);
  void initialise(bool recovering);
  void afterInit();
  void readSignal(const Reply& r);        // the answer to AT+CSQ
  void readRegistration(const Reply& r);  // the answer to AT+CREG?
  void poll(MonoTime now);

  const ModemConfig& config_;
  ModemEvents& events_;
  AtParser parser_;
  std::string outbox_;
  std::deque<Command> queue_;
  std::optional<Command> running_;
  Reply collecting_;
  MonoTime runningSince_;
  MonoTime finishedAt_{};  // when the last command ended (read by its callback)
  int consecutiveTimeouts_ = 0;
  std::optional<std::string> hung_;
  ModemStatus status_;
  bool sending_ = false;
  MonoTime lastSendEnded_{};
  MonoTime nextPoll_{};
  bool pollQueued_ = false;
  std::string readMemory_ = "SM";
};

}  // namespace tocsin::modem
