// ModemEmulator: a GSM modem's AT command interpreter, as a pure state machine.
//
// Bytes the host writes go in (input), bytes the modem answers come out (takeOutput); time is
// passed in. It speaks enough of TS 27.007/27.005 for real clients (gammu and smstools3 send
// through it in the integration tests, Tocsin's driver in the unit tests): echo, CMEE, PIN,
// identity, signal and registration, PDU-mode AT+CMGS with the prompt, message storage
// (CPMS, CMGL, CMGR, CMGD), new-message indications (CNMI: +CMTI, +CMT, +CDS, +CDSI), status
// reports, compound commands ("AT+CMEE=1;+CREG=2"). Sends take a realistic while. Faults on
// demand: hang (silence), refuse the next sends with a +CMS ERROR, lose registration.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/base/clock.h"

namespace tocsin::sim {

struct ModemEmulatorConfig {
  std::string manufacturer = "Tocsin";
  std::string model = "TS-1 GSM modem simulator";
  std::string revision = "1.0";
  std::string imei = "356938035643809";
  std::string imsi = "208011234567890";
  std::string smsc = "+33609001390";
  std::string pin;                                  // when set, the SIM starts locked
  Micros sendDelay = std::chrono::seconds(3);       // AT+CMGS to +CMGS: <mr>
  Micros reportDelay = std::chrono::seconds(2);     // +CMGS to the status report
  double undeliverableRatio = 0;
  int storageSize = 30;
};

struct SentSms {
  std::string destination;
  std::string text;
  std::string pdu;
  int messageReference = 0;
  std::optional<std::string> concat;  // JSON object {"ref":..,"total":..,"seq":..}
  bool statusReportRequested = false;
};

class ModemEmulator {
 public:
  // `clock` gives the wall time stamped on status reports and incoming messages.
  ModemEmulator(ModemEmulatorConfig config, const Clock& clock);

  void input(std::string_view bytes, MonoTime now);
  // Delayed events: send completions, status reports.
  void tick(MonoTime now);
  std::string takeOutput();
  std::optional<MonoTime> nextEvent() const;
  std::vector<SentSms> takeSent();

  // A message from a phone arrives (stored and announced as CNMI says).
  void injectIncoming(const std::string& from, const std::string& text);
  void setSignal(int rssi);              // 0-31, 99 unknown
  void setRegistration(int stat);        // +CREG stat; announced when AT+CREG=1 or 2
  void setHung(bool hung) { hung_ = hung; }
  void failNextSends(int count, int cmsError) {
    failSends_ = count;
    failCode_ = cmsError;
  }
  bool hung() const { return hung_; }

 private:
  struct Stored {
    int status;  // 0 unread, 1 read, 2 unsent, 3 sent
    std::string pdu;
    size_t tpduLength;
  };
  struct Pending {
    MonoTime due;
    std::string output;
  };

  void line(std::string text, MonoTime now);
  // Runs one command of a line; appends information lines; false on error.
  bool execute(const std::string& cmd, std::string& info, MonoTime now, int& cmsError, int& cmeError);
  void finishPdu(std::string hex, MonoTime now);
  int store(const std::string& memory, Stored s);
  void announceStored(const std::string& memory, int index, bool statusReport);
  void out(const std::string& s) { output_ += s; }
  std::string error(int cms, int cme) const;

  ModemEmulatorConfig config_;
  const Clock& clock_;
  std::string inbuf_;
  std::string output_;
  bool echo_ = true;
  int cmee_ = 0;
  bool pinEntered_;
  int rssi_ = 21;
  int registration_ = 1;
  int cregMode_ = 0;
  int cnmi_[5] = {0, 0, 0, 0, 0};
  int cmgf_ = 0;
  std::string cscs_ = "GSM";
  std::string memRead_ = "SM";
  std::optional<size_t> pduLength_;  // inside AT+CMGS, waiting for the PDU and Ctrl-Z
  std::map<std::string, std::map<int, Stored>> storage_;
  std::deque<Pending> pending_;
  std::vector<SentSms> sent_;
  int nextReference_ = 0;
  bool hung_ = false;
  int failSends_ = 0;
  int failCode_ = 500;
  uint64_t reportCount_ = 0;
};

}  // namespace tocsin::sim
