// GSM TPDUs (3GPP TS 23.040) as AT modems exchange them in PDU mode (TS 27.005).
//
// Pure codec: bytes or hex in, values out, and back. encodeSubmit() builds the SMS-SUBMIT a
// modem sends with AT+CMGS; decodePduMode() reads what a modem returns in +CMGR, +CMGL, +CMT
// and +CDS (SMSC field followed by a TPDU), and decodeTpdu() the TPDU alone. Malformed input
// is refused with the reason and the byte offset; what real devices send that is merely odd
// (fill bits set, time-zone nibbles out of range) is tolerated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/base/status.h"
#include "hardware/bearer/user_data_header.h"
#include "common/base/time.h"
#include "common/text/sms_text.h"

namespace tocsin::tpdu {

using Bytes = std::vector<uint8_t>;

// An address (TP-DA, TP-OA, TP-RA, SMSC): digits, or text for alphanumeric senders.
struct Address {
  uint8_t typeOfAddress = 0x91;  // 0x91 international E.164, 0x81 unknown, 0xA1 national, 0xD0 alphanumeric
  std::string value;             // digits (with *, #, a, b, c) or the alphanumeric text, without '+'
  bool international() const { return (typeOfAddress & 0x70) == 0x10; }
  bool alphanumeric() const { return (typeOfAddress & 0x70) == 0x50; }
  // "+46708251358", "0129998765" or "FRANCOIS".
  std::string toString() const;
};
// "+33612345678" -> international; "0612345678" -> unknown type; anything with a letter ->
// alphanumeric (at most 11 GSM characters).
Result<Address> makeAddress(std::string_view text);

// TP-SCTS, TP-DT and the absolute validity period: local time and its offset.
struct ServiceTime {
  int year = 2000, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int offsetQuarterHours = 0;  // -48..+48 normally; odd devices send more, kept as read
  Timestamp utc() const;
  std::string toString() const;  // "2011-01-11T17:59:15+01:00"
};

enum class Alphabet { kGsm7, kEightBit, kUcs2, kReserved };
struct DataCoding {
  uint8_t raw = 0;
  Alphabet alphabet = Alphabet::kGsm7;
  std::optional<int> messageClass;  // 0 flash, 1 ME, 2 SIM, 3 TE
  bool compressed = false;
  bool messageWaiting = false;  // groups 1100-1110
};
DataCoding describeDcs(uint8_t dcs);

using tocsin::Concatenation;
using tocsin::InformationElement;
struct UserData {
  std::vector<InformationElement> header;  // empty when TP-UDHI is 0
  std::string text;                         // decoded for GSM-7 and UCS-2; empty for 8-bit
  Bytes payload;                            // the message bytes after the header (septet codes for GSM-7)
  size_t udl = 0;                           // TP-UDL as sent
  std::optional<Concatenation> concatenation() const;
};

struct SmsDeliver {
  bool moreMessagesToSend = false;  // TP-MMS inverted: true when the bit is 0
  bool statusReportIndication = false;
  bool replyPath = false;
  Address originator;
  uint8_t protocolId = 0;
  DataCoding dataCoding;
  ServiceTime serviceCentreTime;
  UserData userData;
};

enum class ValidityFormat { kNone, kRelative, kEnhanced, kAbsolute };
struct SmsSubmit {
  bool rejectDuplicates = false;
  bool statusReportRequest = false;
  bool replyPath = false;
  uint8_t messageReference = 0;
  Address destination;
  uint8_t protocolId = 0;
  DataCoding dataCoding;
  ValidityFormat validityFormat = ValidityFormat::kNone;
  Bytes validity;  // 1 octet (relative) or 7 (absolute / enhanced), as sent
  UserData userData;
};

struct SmsStatusReport {
  bool moreMessagesToSend = false;
  bool reportsCommand = false;  // TP-SRQ
  uint8_t messageReference = 0;
  Address recipient;
  ServiceTime serviceCentreTime;
  ServiceTime dischargeTime;
  uint8_t status = 0;
  std::optional<uint8_t> parameterIndicator;
  std::optional<uint8_t> protocolId;
  std::optional<DataCoding> dataCoding;
  std::optional<UserData> userData;
  bool delivered() const { return status <= 0x02; }
  bool temporary() const { return (status & 0x60) == 0x20; }  // SC still trying
  bool failed() const { return status >= 0x40; }
};
std::string statusDescription(uint8_t status);

using Tpdu = std::variant<SmsDeliver, SmsSubmit, SmsStatusReport>;

struct PduModeMessage {
  std::optional<Address> smsc;  // nullopt when the SMSC field is "00"
  Tpdu tpdu;
  size_t tpduLength = 0;  // what AT+CMGS / +CMGR count
};

// TP-MTI: 00 SMS-DELIVER, 01 SMS-SUBMIT, 10 SMS-STATUS-REPORT (as received by or stored on a
// mobile); 11 is reserved and refused.
Result<Tpdu> decodeTpdu(const uint8_t* data, size_t size);
Result<PduModeMessage> decodePduMode(std::string_view hex);
// The same for a TPDU written without the SMSC field in front.
Result<PduModeMessage> decodeTpduHex(std::string_view hex);

// Relative validity period (TP-VP, one octet) for a duration, rounded up to what it can say.
uint8_t relativeValidity(Micros duration);
Micros relativeValidityDuration(uint8_t vp);

struct SubmitRequest {
  std::string destination;  // "+33612345678", "0612345678" or an alphanumeric address
  text::SmsEncoding encoding = text::SmsEncoding::kGsm7;
  bool eightBit = false;         // binary data (TP-DCS 0x04): payload holds octets, encoding is ignored
  std::vector<uint8_t> payload;  // septet codes (GSM-7), UTF-16BE bytes (UCS-2) or octets, one part
  std::vector<uint8_t> udh;      // complete UDH including UDHL, or empty
  uint8_t messageReference = 0;  // 0: let the modem choose
  bool statusReportRequest = true;
  bool rejectDuplicates = false;
  std::optional<Micros> validity;  // relative validity period
  std::optional<std::string> smsc; // E.164 of the SMSC, else the one stored in the SIM ("00")
};

struct EncodedPdu {
  std::string hex;          // SMSC field + TPDU, upper-case hex: the line written after AT+CMGS
  size_t tpduLength = 0;    // the <length> of AT+CMGS=<length>
};
Result<EncodedPdu> encodeSubmit(const SubmitRequest& request);

// Semi-octet and timestamp codecs, exposed for tests and for the modem simulator.
Bytes encodeSemiOctets(std::string_view digits);
std::string decodeSemiOctets(const uint8_t* data, size_t octets, size_t digits);
Bytes encodeServiceTime(const ServiceTime& t);
ServiceTime decodeServiceTime(const uint8_t* data);
Bytes encodeAddress(const Address& a);   // TP address: length in semi-octets
Bytes encodeSmscField(const std::optional<Address>& smsc);  // length in octets; "00" when absent

std::string toHexUpper(const uint8_t* data, size_t size);
inline std::string toHexUpper(const Bytes& b) { return toHexUpper(b.data(), b.size()); }

}  // namespace tocsin::tpdu
