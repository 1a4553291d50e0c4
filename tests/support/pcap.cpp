#include "tests/support/pcap.h"

#include <cstdint>
#include <fstream>
#include <stdexcept>

namespace tocsin::testing {
namespace {

void le32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>(v >> (8 * i));
}
void le16(std::string& out, uint16_t v) {
  out += static_cast<char>(v);
  out += static_cast<char>(v >> 8);
}
void be32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out += static_cast<char>(v >> (8 * i));
}
void be16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

uint16_t ipChecksum(const std::string& header) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < header.size(); i += 2)
    sum += static_cast<uint32_t>(static_cast<uint8_t>(header[i]) << 8 | static_cast<uint8_t>(header[i + 1]));
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

void writeTcpPcap(const std::string& path, const std::vector<TcpSegment>& segments, int serverPort) {
  std::string file;
  le32(file, 0xA1B2C3D4);  // pcap magic, microsecond timestamps
  le16(file, 2);
  le16(file, 4);
  le32(file, 0);
  le32(file, 0);
  le32(file, 65535);
  le32(file, 1);  // Ethernet
  uint32_t clientSeq = 1000, serverSeq = 5000;
  uint32_t t = 0;
  for (const auto& s : segments) {
    const uint16_t sport = s.fromClient ? 40000 : static_cast<uint16_t>(serverPort);
    const uint16_t dport = s.fromClient ? static_cast<uint16_t>(serverPort) : 40000;
    std::string tcp;
    be16(tcp, sport);
    be16(tcp, dport);
    be32(tcp, s.fromClient ? clientSeq : serverSeq);
    be32(tcp, s.fromClient ? serverSeq : clientSeq);
    tcp += static_cast<char>(0x50);  // header length 20
    tcp += static_cast<char>(0x18);  // PSH, ACK
    be16(tcp, 65535);
    be16(tcp, 0);  // checksum left zero: tshark does not verify it by default
    be16(tcp, 0);
    tcp += s.payload;
    (s.fromClient ? clientSeq : serverSeq) += static_cast<uint32_t>(s.payload.size());

    std::string ip;
    ip += static_cast<char>(0x45);
    ip += static_cast<char>(0);
    be16(ip, static_cast<uint16_t>(20 + tcp.size()));
    be16(ip, 0);
    be16(ip, 0x4000);
    ip += static_cast<char>(64);
    ip += static_cast<char>(6);
    be16(ip, 0);
    be32(ip, 0x7F000001);
    be32(ip, 0x7F000001);
    const uint16_t sum = ipChecksum(ip);
    ip[10] = static_cast<char>(sum >> 8);
    ip[11] = static_cast<char>(sum);

    std::string frame(12, '\0');  // both MAC addresses zero, as on loopback
    be16(frame, 0x0800);
    frame += ip + tcp;
    le32(file, 1'790'000'000 + t / 1000);
    le32(file, (t % 1000) * 1000);
    ++t;
    le32(file, static_cast<uint32_t>(frame.size()));
    le32(file, static_cast<uint32_t>(frame.size()));
    file += frame;
  }
  std::ofstream out(path, std::ios::binary);
  out << file;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace tocsin::testing
