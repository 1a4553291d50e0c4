/*
 * Independent cross-check: decodes SMPP PDUs with libsmpp34 (Debian libsmpp34-dev), a C SMPP 3.4
 * implementation that shares nothing with Tocsin, and prints their fields in a neutral
 * "name=value" form, one PDU per block ending with "--". Input: one PDU per line, in hex.
 * The Tocsin test prints its own decoding of the same bytes the same way and compares.
 */
#include <stdint.h>
/* The headers need each other in this order. */
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) printf("%02x", p[i]);
}

static void field(const char* name, const uint8_t* cstr) { printf("%s=%s\n", name, (const char*)cstr); }
static void num(const char* name, unsigned v) { printf("%s=%u\n", name, v); }

/* TLVs whose value libsmpp34 holds as a 16-bit number rather than as octets. */
static int isU16Tag(uint16_t tag) {
  return tag == 0x0204 || tag == 0x020A || tag == 0x020B || tag == 0x020C || tag == 0x1383;
}

static void tlvs(tlv_t* list) {
  for (tlv_t* t = list; t; t = t->next) {
    printf("tlv=%04x:", t->tag);
    if (isU16Tag(t->tag) && t->length == 2)
      printf("%04x", t->value.val16);
    else if (t->length == 1)
      printf("%02x", t->value.val08);
    else
      hex(t->value.octet, t->length);
    printf("\n");
  }
  destroy_tlv(list);
}

#define HEADER(s)                                  \
  do {                                             \
    printf("command_id=%08x\n", (s).command_id);   \
    num("command_status", (s).command_status);     \
    num("sequence_number", (s).sequence_number);   \
  } while (0)

#define BIND(s)                                     \
  do {                                              \
    HEADER(s);                                      \
    field("system_id", (s).system_id);              \
    field("password", (s).password);                \
    field("system_type", (s).system_type);          \
    num("interface_version", (s).interface_version); \
    num("addr_ton", (s).addr_ton);                  \
    num("addr_npi", (s).addr_npi);                  \
    field("address_range", (s).address_range);      \
  } while (0)

#define SHORT_MESSAGE(s)                                       \
  do {                                                         \
    HEADER(s);                                                 \
    field("service_type", (s).service_type);                   \
    num("source_addr_ton", (s).source_addr_ton);               \
    num("source_addr_npi", (s).source_addr_npi);               \
    field("source_addr", (s).source_addr);                     \
    num("dest_addr_ton", (s).dest_addr_ton);                   \
    num("dest_addr_npi", (s).dest_addr_npi);                   \
    field("destination_addr", (s).destination_addr);           \
    num("esm_class", (s).esm_class);                           \
    num("protocol_id", (s).protocol_id);                       \
    num("priority_flag", (s).priority_flag);                   \
    field("schedule_delivery_time", (s).schedule_delivery_time); \
    field("validity_period", (s).validity_period);             \
    num("registered_delivery", (s).registered_delivery);       \
    num("replace_if_present_flag", (s).replace_if_present_flag); \
    num("data_coding", (s).data_coding);                       \
    num("sm_default_msg_id", (s).sm_default_msg_id);           \
    printf("short_message=");                                  \
    hex((s).short_message, (s).sm_length);                     \
    printf("\n");                                              \
    tlvs((s).tlv);                                             \
  } while (0)

static int decodeOne(const uint8_t* buf, int len) {
  const uint32_t id = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
  int rc = 0;
#define UNPACK(type, var) \
  type var;               \
  memset(&var, 0, sizeof var); \
  rc = smpp34_unpack(id, &var, buf, len); \
  if (rc != 0) break
  switch (id) {
    case 0x00000001: { UNPACK(bind_receiver_t, s); BIND(s); break; }
    case 0x00000002: { UNPACK(bind_transmitter_t, s); BIND(s); break; }
    case 0x00000009: { UNPACK(bind_transceiver_t, s); BIND(s); break; }
    case 0x80000001: { UNPACK(bind_receiver_resp_t, s); HEADER(s); field("system_id", s.system_id); tlvs(s.tlv); break; }
    case 0x80000002: { UNPACK(bind_transmitter_resp_t, s); HEADER(s); field("system_id", s.system_id); tlvs(s.tlv); break; }
    case 0x80000009: { UNPACK(bind_transceiver_resp_t, s); HEADER(s); field("system_id", s.system_id); tlvs(s.tlv); break; }
    case 0x00000004: { UNPACK(submit_sm_t, s); SHORT_MESSAGE(s); break; }
    case 0x00000005: { UNPACK(deliver_sm_t, s); SHORT_MESSAGE(s); break; }
    case 0x80000004: { UNPACK(submit_sm_resp_t, s); HEADER(s); field("message_id", s.message_id); break; }
    case 0x80000005: { UNPACK(deliver_sm_resp_t, s); HEADER(s); field("message_id", s.message_id); break; }
    case 0x80000103: { UNPACK(data_sm_resp_t, s); HEADER(s); field("message_id", s.message_id); break; }
    case 0x00000103: {
      UNPACK(data_sm_t, s);
      HEADER(s);
      field("service_type", s.service_type);
      num("source_addr_ton", s.source_addr_ton);
      num("source_addr_npi", s.source_addr_npi);
      field("source_addr", s.source_addr);
      num("dest_addr_ton", s.dest_addr_ton);
      num("dest_addr_npi", s.dest_addr_npi);
      field("destination_addr", s.destination_addr);
      num("esm_class", s.esm_class);
      num("registered_delivery", s.registered_delivery);
      num("data_coding", s.data_coding);
      tlvs(s.tlv);
      break;
    }
    case 0x00000003: {
      UNPACK(query_sm_t, s);
      HEADER(s);
      field("message_id", s.message_id);
      num("source_addr_ton", s.source_addr_ton);
      num("source_addr_npi", s.source_addr_npi);
      field("source_addr", s.source_addr);
      break;
    }
    case 0x80000003: {
      UNPACK(query_sm_resp_t, s);
      HEADER(s);
      field("message_id", s.message_id);
      field("final_date", s.final_date);
      num("message_state", s.message_state);
      num("error_code", s.error_code);
      break;
    }
    case 0x00000015: { UNPACK(enquire_link_t, s); HEADER(s); break; }
    case 0x80000015: { UNPACK(enquire_link_resp_t, s); HEADER(s); break; }
    case 0x00000006: { UNPACK(unbind_t, s); HEADER(s); break; }
    case 0x80000006: { UNPACK(unbind_resp_t, s); HEADER(s); break; }
    case 0x80000000: { UNPACK(generic_nack_t, s); HEADER(s); break; }
    default: printf("error=unsupported command %08x\n", id); return 1;
  }
#undef UNPACK
  if (rc != 0) printf("error=%s\n", smpp34_strerror);
  return rc;
}

int main(void) {
  static char line[1 << 17];
  static uint8_t buf[1 << 16];
  int failures = 0;
  while (fgets(line, sizeof line, stdin)) {
    size_t n = strcspn(line, "\r\n");
    line[n] = 0;
    if (n == 0) continue;
    int len = 0;
    for (size_t i = 0; i + 1 < n && len < (int)sizeof buf; i += 2) {
      unsigned v;
      sscanf(line + i, "%2x", &v);
      buf[len++] = (uint8_t)v;
    }
    failures += decodeOne(buf, len) != 0;
    printf("--\n");
    fflush(stdout);
  }
  return failures ? 1 : 0;
}
