#!/usr/bin/env node
// An SMSC built on the npm package "smpp" (node-smpp), an SMPP implementation that shares
// nothing with Tocsin. It answers binds and submit_sm, sends a delivery receipt when asked,
// injects a message from a phone on "mo FROM TO TEXT" (stdin), and prints JSON lines. The
// first line is {"event":"listening","port":N}.
'use strict';
const smpp = require('smpp');
const readline = require('readline');

let nextId = 0x5000;
const sessions = [];
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const server = smpp.createServer((session) => {
  sessions.push(session);
  session.on('bind_transceiver', (pdu) => {
    session.send(pdu.response({ system_id: 'NODESMSC' }));
    out({ event: 'bind', system_id: pdu.system_id });
  });
  session.on('submit_sm', (pdu) => {
    const id = (nextId++).toString(16);
    session.send(pdu.response({ message_id: id }));
    const text = Buffer.isBuffer(pdu.short_message) ? pdu.short_message.toString('hex')
               : (pdu.short_message && pdu.short_message.message !== undefined ? String(pdu.short_message.message) : '');
    out({ event: 'submit_sm', message_id: id, from: pdu.source_addr, to: pdu.destination_addr,
          data_coding: pdu.data_coding, priority: pdu.priority_flag, esm_class: pdu.esm_class, text });
    if (pdu.registered_delivery & 1) {
      session.deliver_sm({
        source_addr: pdu.destination_addr, destination_addr: pdu.source_addr, esm_class: 4,
        short_message: 'id:' + id + ' sub:001 dlvrd:001 submit date:2611221200 done date:2611221201 stat:DELIVRD err:000 text:',
        receipted_message_id: id, message_state: 2,
      });
    }
  });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => { session.send(pdu.response()); out({ event: 'unbind' }); session.close(); });
  session.on('deliver_sm_resp', (pdu) => out({ event: 'deliver_sm_resp', status: pdu.command_status }));
  session.on('error', () => {});
});

server.listen(0, '127.0.0.1', () => out({ event: 'listening', port: server.address().port }));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const m = /^mo (\S+) (\S+) (.*)$/.exec(line);
  if (!m) return;
  for (const s of sessions) {
    s.deliver_sm({ source_addr: m[1].replace(/^\+/, ''), source_addr_ton: 1, source_addr_npi: 1,
                   destination_addr: m[2], short_message: m[3] });
  }
});
