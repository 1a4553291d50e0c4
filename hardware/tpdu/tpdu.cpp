#include "hardware/tpdu/tpdu.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "common/text/gsm7.h"
#include "common/text/unicode.h"

namespace tocsin::tpdu {
namespace {

constexpr char kSemiOctetDigits[] = "0123456789*#abc";

// Reads a TPDU front to back; every read checks the length first.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  const uint8_t* here() const { return data_ + pos_; }
  Status need(size_t n, const char* what) const {
    if (remaining() >= n) return Status::okStatus();
    return Status::invalid(std::string(what) + " at octet " + std::to_string(pos_) + " needs " + std::to_string(n) +
                           " octet" + (n == 1 ? "" : "s") + " but only " + std::to_string(remaining()) + " remain");
  }
  uint8_t byte() { return data_[pos_++]; }
  void skip(size_t n) { pos_ += n; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

int bcd(uint8_t octet) { return (octet & 0x0F) * 10 + (octet >> 4); }  // swapped nibbles, tolerant of > 9

Result<Address> readAddress(Reader& r, const char* what) {
  TOCSIN_RETURN_IF_ERROR(r.need(2, what));
  const uint8_t digits = r.byte();
  Address a;
  a.typeOfAddress = r.byte();
  if (digits > 20) return Status::invalid(std::string(what) + " length " + std::to_string(digits) + " is over 20 digits");
  const size_t octets = (digits + 1u) / 2;
  TOCSIN_RETURN_IF_ERROR(r.need(octets, what));
  if (a.alphanumeric()) {
    const size_t septets = digits * 4u / 7;
    a.value = text::encodeUtf8(text::decodeSeptets(text::unpackSeptets(r.here(), octets, septets).data(), septets));
  } else {
    a.value = decodeSemiOctets(r.here(), octets, digits);
  }
  r.skip(octets);
  return a;
}

Result<ServiceTime> readTime(Reader& r, const char* what) {
  TOCSIN_RETURN_IF_ERROR(r.need(7, what));
  ServiceTime t = decodeServiceTime(r.here());
  r.skip(7);
  return t;
}

// TP-UDL and TP-UD, with the header when TP-UDHI is set.
Result<UserData> readUserData(Reader& r, bool udhi, const DataCoding& dcs) {
  TOCSIN_RETURN_IF_ERROR(r.need(1, "TP-UDL"));
  UserData ud;
  ud.udl = r.byte();
  const bool septets = dcs.alphabet == Alphabet::kGsm7 || dcs.alphabet == Alphabet::kReserved;
  if (septets && !dcs.compressed) {
    if (ud.udl > 160) return Status::invalid("TP-UDL " + std::to_string(ud.udl) + " is over 160 septets");
  } else if (ud.udl > 140) {
    return Status::invalid("TP-UDL " + std::to_string(ud.udl) + " is over 140 octets");
  }
  const size_t octets = septets && !dcs.compressed ? (ud.udl * 7 + 7) / 8 : ud.udl;
  if (r.remaining() < octets)
    return Status::invalid("TP-UDL " + std::to_string(ud.udl) + (septets ? " septets needs " : " octets needs ") +
                           std::to_string(octets) + " octets of user data but only " + std::to_string(r.remaining()) +
                           " remain");
  const uint8_t* data = r.here();
  size_t headerOctets = 0;
  if (udhi) {
    if (octets == 0) return Status::invalid("TP-UDHI is set but the user data is empty");
    headerOctets = static_cast<size_t>(data[0]) + 1;
    if (headerOctets > octets)
      return Status::invalid("the user data header length " + std::to_string(data[0]) + " overruns the " +
                             std::to_string(octets) + " octets of user data");
    auto elements = parseInformationElements(std::string_view(reinterpret_cast<const char*>(data + 1), headerOctets - 1));
    if (!elements.ok()) return elements.status();
    ud.header = std::move(*elements);
  }
  if (septets && !dcs.compressed) {
    const size_t headerSeptets = (headerOctets * 8 + 6) / 7;
    if (headerSeptets > ud.udl)
      return Status::invalid("TP-UDL " + std::to_string(ud.udl) + " is shorter than the user data header");
    const size_t count = ud.udl - headerSeptets;
    const int fill = static_cast<int>(headerSeptets * 7 - headerOctets * 8);
    ud.payload = text::unpackSeptets(data + headerOctets, octets - headerOctets, count, fill);
    ud.text = text::decodePayload(text::SmsEncoding::kGsm7, ud.payload.data(), ud.payload.size());
  } else {
    ud.payload.assign(data + headerOctets, data + octets);
    if (dcs.alphabet == Alphabet::kUcs2 && !dcs.compressed)
      ud.text = text::decodePayload(text::SmsEncoding::kUcs2, ud.payload.data(), ud.payload.size());
  }
  r.skip(octets);
  return ud;
}

Result<SmsDeliver> decodeDeliver(Reader& r, uint8_t fo) {
  SmsDeliver d;
  d.moreMessagesToSend = (fo & 0x04) == 0;
  d.statusReportIndication = fo & 0x20;
  d.replyPath = fo & 0x80;
  TOCSIN_ASSIGN_OR_RETURN(d.originator, readAddress(r, "TP-OA"));
  TOCSIN_RETURN_IF_ERROR(r.need(2, "TP-PID and TP-DCS"));
  d.protocolId = r.byte();
  d.dataCoding = describeDcs(r.byte());
  TOCSIN_ASSIGN_OR_RETURN(d.serviceCentreTime, readTime(r, "TP-SCTS"));
  TOCSIN_ASSIGN_OR_RETURN(d.userData, readUserData(r, fo & 0x40, d.dataCoding));
  return d;
}

Result<SmsSubmit> decodeSubmit(Reader& r, uint8_t fo) {
  SmsSubmit s;
  s.rejectDuplicates = fo & 0x04;
  s.statusReportRequest = fo & 0x20;
  s.replyPath = fo & 0x80;
  switch ((fo >> 3) & 0x03) {
    case 0: s.validityFormat = ValidityFormat::kNone; break;
    case 1: s.validityFormat = ValidityFormat::kEnhanced; break;
    case 2: s.validityFormat = ValidityFormat::kRelative; break;
    default: s.validityFormat = ValidityFormat::kAbsolute; break;
  }
  TOCSIN_RETURN_IF_ERROR(r.need(1, "TP-MR"));
  s.messageReference = r.byte();
  TOCSIN_ASSIGN_OR_RETURN(s.destination, readAddress(r, "TP-DA"));
  TOCSIN_RETURN_IF_ERROR(r.need(2, "TP-PID and TP-DCS"));
  s.protocolId = r.byte();
  s.dataCoding = describeDcs(r.byte());
  const size_t vpLength = s.validityFormat == ValidityFormat::kNone       ? 0
                          : s.validityFormat == ValidityFormat::kRelative ? 1
                                                                          : 7;
  TOCSIN_RETURN_IF_ERROR(r.need(vpLength, "TP-VP"));
  s.validity.assign(r.here(), r.here() + vpLength);
  r.skip(vpLength);
  TOCSIN_ASSIGN_OR_RETURN(s.userData, readUserData(r, fo & 0x40, s.dataCoding));
  return s;
}

Result<SmsStatusReport> decodeStatusReport(Reader& r, uint8_t fo) {
  SmsStatusReport s;
  s.moreMessagesToSend = (fo & 0x04) == 0;
  s.reportsCommand = fo & 0x20;
  TOCSIN_RETURN_IF_ERROR(r.need(1, "TP-MR"));
  s.messageReference = r.byte();
  TOCSIN_ASSIGN_OR_RETURN(s.recipient, readAddress(r, "TP-RA"));
  TOCSIN_ASSIGN_OR_RETURN(s.serviceCentreTime, readTime(r, "TP-SCTS"));
  TOCSIN_ASSIGN_OR_RETURN(s.dischargeTime, readTime(r, "TP-DT"));
  TOCSIN_RETURN_IF_ERROR(r.need(1, "TP-ST"));
  s.status = r.byte();
  if (r.remaining() == 0) return s;
  // Optional part: TP-PI says which of TP-PID, TP-DCS and TP-UD follow. Some devices pad the
  // report with 0xFF or zeros instead; an indicator with the extension bit set is such padding.
  const uint8_t pi = r.byte();
  if (pi & 0x80) return s;
  s.parameterIndicator = pi;
  if (pi & 0x01) {
    TOCSIN_RETURN_IF_ERROR(r.need(1, "TP-PID"));
    s.protocolId = r.byte();
  }
  if (pi & 0x02) {
    TOCSIN_RETURN_IF_ERROR(r.need(1, "TP-DCS"));
    s.dataCoding = describeDcs(r.byte());
  }
  if (pi & 0x04) {
    TOCSIN_ASSIGN_OR_RETURN(s.userData, readUserData(r, fo & 0x40, s.dataCoding.value_or(DataCoding{})));
  }
  return s;
}

Result<Bytes> parseHex(std::string_view hex) {
  std::string clean;
  clean.reserve(hex.size());
  for (char c : hex)
    if (c != ' ' && c != '\r' && c != '\n' && c != '\t') clean += c;
  if (clean.size() % 2 != 0) return Status::invalid("the PDU has an odd number of hex digits");
  Bytes out(clean.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      const char c = clean[2 * i + static_cast<size_t>(k)];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return Status::invalid(std::string("'") + c + "' in the PDU is not a hex digit");
      v = v * 16 + d;
    }
    out[i] = static_cast<uint8_t>(v);
  }
  return out;
}

}  // namespace

std::string toHexUpper(const uint8_t* data, size_t size) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0F];
  }
  return out;
}

std::string Address::toString() const {
  if (international()) return "+" + value;
  return value;
}

Result<Address> makeAddress(std::string_view text) {
  if (text.empty()) return Status::invalid("the destination address is empty");
  Address a;
  std::string_view digits = text;
  if (digits.front() == '+') digits.remove_prefix(1);
  const bool numeric = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (numeric) {
    if (digits.size() > 20) return Status::invalid("address '" + std::string(text) + "' has more than 20 digits");
    a.typeOfAddress = text.front() == '+' ? 0x91 : 0x81;
    a.value = std::string(digits);
    return a;
  }
  TOCSIN_ASSIGN_OR_RETURN(std::u32string cps, text::decodeUtf8(text));
  size_t septets = 0;
  for (char32_t cp : cps) {
    auto c = text::gsmCode(cp);
    if (!c) return Status::invalid("alphanumeric address '" + std::string(text) + "' has a character outside GSM-7");
    septets += c->escaped ? 2 : 1;
  }
  if (septets > 11) return Status::invalid("alphanumeric address '" + std::string(text) + "' is longer than 11 characters");
  a.typeOfAddress = 0xD0;
  a.value = std::string(text);
  return a;
}

Bytes encodeSemiOctets(std::string_view digits) {
  Bytes out((digits.size() + 1) / 2, 0xFF);
  for (size_t i = 0; i < digits.size(); ++i) {
    const char* p = std::strchr(kSemiOctetDigits, digits[i]);
    const uint8_t nibble = p && *p ? static_cast<uint8_t>(p - kSemiOctetDigits) : 0x0F;
    uint8_t& o = out[i / 2];
    o = i % 2 == 0 ? static_cast<uint8_t>((o & 0xF0) | nibble) : static_cast<uint8_t>((o & 0x0F) | (nibble << 4));
  }
  return out;
}

std::string decodeSemiOctets(const uint8_t* data, size_t octets, size_t digits) {
  std::string out;
  for (size_t i = 0; i < octets * 2 && out.size() < digits; ++i) {
    const uint8_t nibble = i % 2 == 0 ? data[i / 2] & 0x0F : data[i / 2] >> 4;
    if (nibble == 0x0F) break;
    out += kSemiOctetDigits[nibble];
  }
  return out;
}

Bytes encodeAddress(const Address& a) {
  Bytes out;
  if (a.alphanumeric()) {
    // makeAddress() checked that the text is GSM-7.
    text::Septets septets;
    auto decoded = text::decodeUtf8(a.value);
    const std::u32string cps = decoded.ok() ? *decoded : std::u32string();
    for (char32_t cp : cps) {
      const auto c = text::gsmCode(cp);
      if (!c) continue;
      septets.push_back(c->first);
      if (c->escaped) septets.push_back(c->second);
    }
    const Bytes packed = text::packSeptets(septets.data(), septets.size());
    out.push_back(static_cast<uint8_t>((septets.size() * 7 + 3) / 4));
    out.push_back(a.typeOfAddress);
    out.insert(out.end(), packed.begin(), packed.end());
    return out;
  }
  out.push_back(static_cast<uint8_t>(a.value.size()));
  out.push_back(a.typeOfAddress);
  const Bytes digits = encodeSemiOctets(a.value);
  out.insert(out.end(), digits.begin(), digits.end());
  return out;
}

Bytes encodeSmscField(const std::optional<Address>& smsc) {
  if (!smsc) return {0x00};
  const Bytes digits = encodeSemiOctets(smsc->value);
  Bytes out{static_cast<uint8_t>(digits.size() + 1), smsc->typeOfAddress};
  out.insert(out.end(), digits.begin(), digits.end());
  return out;
}

Bytes encodeServiceTime(const ServiceTime& t) {
  auto swapped = [](int v) { return static_cast<uint8_t>((v % 10) << 4 | (v / 10 % 10)); };
  const int q = t.offsetQuarterHours < 0 ? -t.offsetQuarterHours : t.offsetQuarterHours;
  uint8_t tz = swapped(q);
  if (t.offsetQuarterHours < 0) tz |= 0x08;
  return {swapped(t.year % 100), swapped(t.month), swapped(t.day), swapped(t.hour), swapped(t.minute),
          swapped(t.second), tz};
}

ServiceTime decodeServiceTime(const uint8_t* d) {
  ServiceTime t;
  const int yy = bcd(d[0]);
  t.year = yy < 90 ? 2000 + yy : 1900 + yy;
  t.month = bcd(d[1]);
  t.day = bcd(d[2]);
  t.hour = bcd(d[3]);
  t.minute = bcd(d[4]);
  t.second = bcd(d[5]);
  const int quarters = (d[6] & 0x07) * 10 + (d[6] >> 4);
  t.offsetQuarterHours = (d[6] & 0x08) ? -quarters : quarters;
  return t;
}

Timestamp ServiceTime::utc() const {
  using namespace std::chrono;
  // Devices send odd values; clamp rather than fail, the time is informative.
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(std::clamp(month, 1, 12))),
                           std::chrono::day(static_cast<unsigned>(std::clamp(day, 1, 31)))};
  const sys_days date = ymd.ok() ? sys_days(ymd) : sys_days(year_month_day_last(ymd.year(), month_day_last(ymd.month())));
  const auto local = time_point_cast<Micros>(date) + hours(std::clamp(hour, 0, 23)) +
                     minutes(std::clamp(minute, 0, 59)) + seconds(std::clamp(second, 0, 59));
  return local - minutes(15 * offsetQuarterHours);
}

std::string ServiceTime::toString() const {
  char buf[40];
  const int q = offsetQuarterHours < 0 ? -offsetQuarterHours : offsetQuarterHours;
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", year, month, day, hour, minute, second,
                offsetQuarterHours < 0 ? '-' : '+', q / 4, (q % 4) * 15);
  return buf;
}

DataCoding describeDcs(uint8_t dcs) {
  DataCoding d;
  d.raw = dcs;
  const uint8_t group = dcs >> 4;
  auto alphabetBits = [](uint8_t bits) {
    switch (bits & 0x03) {
      case 0: return Alphabet::kGsm7;
      case 1: return Alphabet::kEightBit;
      case 2: return Alphabet::kUcs2;
      default: return Alphabet::kReserved;
    }
  };
  if (group <= 0x07) {  // general data coding (01xx: the same, marked for automatic deletion)
    d.compressed = dcs & 0x20;
    if (dcs & 0x10) d.messageClass = dcs & 0x03;
    d.alphabet = alphabetBits(static_cast<uint8_t>(dcs >> 2));
  } else if (group == 0x0C || group == 0x0D) {
    d.messageWaiting = true;
    d.alphabet = Alphabet::kGsm7;
  } else if (group == 0x0E) {
    d.messageWaiting = true;
    d.alphabet = Alphabet::kUcs2;
  } else if (group == 0x0F) {
    d.alphabet = (dcs & 0x04) ? Alphabet::kEightBit : Alphabet::kGsm7;
    d.messageClass = dcs & 0x03;
  } else {
    d.alphabet = Alphabet::kReserved;  // 23.038: reserved groups are read as the GSM default alphabet
  }
  return d;
}

std::optional<Concatenation> UserData::concatenation() const { return findConcatenation(header); }

std::string statusDescription(uint8_t st) {
  switch (st) {
    case 0x00: return "delivered";
    case 0x01: return "forwarded, delivery unconfirmed";
    case 0x02: return "replaced by the service centre";
    case 0x20: return "temporary: congestion, still trying";
    case 0x21: return "temporary: recipient busy, still trying";
    case 0x22: return "temporary: no response from recipient, still trying";
    case 0x23: return "temporary: service rejected, still trying";
    case 0x24: return "temporary: quality of service not available, still trying";
    case 0x25: return "temporary: error in recipient, still trying";
    case 0x40: return "failed: remote procedure error";
    case 0x41: return "failed: incompatible destination";
    case 0x42: return "failed: connection rejected by recipient";
    case 0x43: return "failed: not obtainable";
    case 0x44: return "failed: quality of service not available";
    case 0x45: return "failed: no interworking available";
    case 0x46: return "failed: validity period expired";
    case 0x47: return "failed: deleted by originating SME";
    case 0x48: return "failed: deleted by service centre administration";
    case 0x49: return "failed: message does not exist";
    default: break;
  }
  if ((st & 0x60) == 0x20) return "temporary error, still trying";
  if ((st & 0x60) == 0x40) return "permanent error";
  if ((st & 0x60) == 0x60) return "temporary error, service centre gave up";
  return "reserved status";
}

Result<Tpdu> decodeTpdu(const uint8_t* data, size_t size) {
  Reader r(data, size);
  TOCSIN_RETURN_IF_ERROR(r.need(1, "the first octet"));
  const uint8_t fo = r.byte();
  switch (fo & 0x03) {
    case 0x00: {
      TOCSIN_ASSIGN_OR_RETURN(SmsDeliver d, decodeDeliver(r, fo));
      return Tpdu(std::move(d));
    }
    case 0x01: {
      TOCSIN_ASSIGN_OR_RETURN(SmsSubmit s, decodeSubmit(r, fo));
      return Tpdu(std::move(s));
    }
    case 0x02: {
      TOCSIN_ASSIGN_OR_RETURN(SmsStatusReport s, decodeStatusReport(r, fo));
      return Tpdu(std::move(s));
    }
    default:
      return Status::invalid("TP-MTI 11 in first octet 0x" + toHexUpper(&fo, 1) + " is reserved");
  }
}

Result<PduModeMessage> decodePduMode(std::string_view hex) {
  TOCSIN_ASSIGN_OR_RETURN(Bytes bytes, parseHex(hex));
  if (bytes.empty()) return Status::invalid("the PDU is empty");
  PduModeMessage m;
  const size_t smscLength = bytes[0];
  if (1 + smscLength > bytes.size())
    return Status::invalid("the SMSC field length " + std::to_string(smscLength) + " overruns the PDU");
  if (smscLength > 12) return Status::invalid("the SMSC field length " + std::to_string(smscLength) + " is over 12");
  if (smscLength > 0) {
    Address smsc;
    smsc.typeOfAddress = bytes[1];
    smsc.value = decodeSemiOctets(bytes.data() + 2, smscLength - 1, 2 * (smscLength - 1));
    m.smsc = smsc;
  }
  const size_t start = 1 + smscLength;
  m.tpduLength = bytes.size() - start;
  auto tpdu = decodeTpdu(bytes.data() + start, m.tpduLength);
  if (!tpdu.ok()) return tpdu.status().withContext("TPDU (after the " + std::to_string(start) + "-octet SMSC field)");
  m.tpdu = std::move(*tpdu);
  return m;
}

Result<PduModeMessage> decodeTpduHex(std::string_view hex) {
  TOCSIN_ASSIGN_OR_RETURN(Bytes bytes, parseHex(hex));
  PduModeMessage m;
  m.tpduLength = bytes.size();
  TOCSIN_ASSIGN_OR_RETURN(m.tpdu, decodeTpdu(bytes.data(), bytes.size()));
  return m;
}

uint8_t relativeValidity(Micros duration) {
  const int64_t minutes = std::max<int64_t>(1, (std::chrono::duration_cast<std::chrono::seconds>(duration).count() + 59) / 60);
  if (minutes <= 720) return static_cast<uint8_t>((minutes + 4) / 5 - 1);
  if (minutes <= 1440) return static_cast<uint8_t>(143 + (minutes - 720 + 29) / 30);
  const int64_t days = (minutes + 1439) / 1440;
  if (days <= 30) return static_cast<uint8_t>(166 + days);
  const int64_t weeks = (days + 6) / 7;
  return static_cast<uint8_t>(std::min<int64_t>(255, 192 + weeks));
}

Micros relativeValidityDuration(uint8_t vp) {
  using namespace std::chrono;
  if (vp <= 143) return minutes(5 * (vp + 1));
  if (vp <= 167) return hours(12) + minutes(30 * (vp - 143));
  if (vp <= 196) return hours(24 * (vp - 166));
  return hours(24 * 7 * (vp - 192));
}

Result<EncodedPdu> encodeSubmit(const SubmitRequest& req) {
  TOCSIN_ASSIGN_OR_RETURN(Address da, makeAddress(req.destination));
  std::optional<Address> smsc;
  if (req.smsc) {
    TOCSIN_ASSIGN_OR_RETURN(smsc, makeAddress(*req.smsc));
  }
  Bytes tpdu;
  tpdu.reserve(176);
  uint8_t fo = 0x01;
  if (req.rejectDuplicates) fo |= 0x04;
  if (req.validity) fo |= 0x10;
  if (req.statusReportRequest) fo |= 0x20;
  if (!req.udh.empty()) fo |= 0x40;
  tpdu.push_back(fo);
  tpdu.push_back(req.messageReference);
  const Bytes address = encodeAddress(da);
  tpdu.insert(tpdu.end(), address.begin(), address.end());
  tpdu.push_back(0x00);  // TP-PID: normal SME-to-SME
  const bool septets = !req.eightBit && req.encoding == text::SmsEncoding::kGsm7;
  tpdu.push_back(req.eightBit ? 0x04 : septets ? 0x00 : 0x08);
  if (req.validity) tpdu.push_back(relativeValidity(*req.validity));
  const size_t h = req.udh.size();
  if (h > 0 && static_cast<size_t>(req.udh[0]) + 1 != h)
    return Status::invalid("the user data header's length octet does not match its size");
  if (septets) {
    const size_t headerSeptets = (h * 8 + 6) / 7;
    const size_t udl = headerSeptets + req.payload.size();
    if (udl > 160) return Status::invalid("the part holds " + std::to_string(udl) + " septets, more than 160");
    tpdu.push_back(static_cast<uint8_t>(udl));
    tpdu.insert(tpdu.end(), req.udh.begin(), req.udh.end());
    const Bytes packed =
        text::packSeptets(req.payload.data(), req.payload.size(), static_cast<int>(headerSeptets * 7 - h * 8));
    tpdu.insert(tpdu.end(), packed.begin(), packed.end());
  } else {
    const size_t udl = h + req.payload.size();
    if (udl > 140) return Status::invalid("the part holds " + std::to_string(udl) + " octets, more than 140");
    tpdu.push_back(static_cast<uint8_t>(udl));
    tpdu.insert(tpdu.end(), req.udh.begin(), req.udh.end());
    tpdu.insert(tpdu.end(), req.payload.begin(), req.payload.end());
  }
  EncodedPdu out;
  out.hex = toHexUpper(encodeSmscField(smsc)) + toHexUpper(tpdu);
  out.tpduLength = tpdu.size();
  return out;
}

}  // namespace tocsin::tpdu
