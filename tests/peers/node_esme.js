#!/usr/bin/env node
// An SMPP client built on the npm package "smpp": binds as a transceiver, sends N messages,
// waits for every submit_sm_resp and delivery receipt, answers what the SMSC sends, and prints
// one JSON summary line. Usage: node_esme.js PORT SYSTEM_ID PASSWORD COUNT
'use strict';
const smpp = require('smpp');

const [port, systemId, password, countText] = process.argv.slice(2);
const count = parseInt(countText, 10);
const result = { bound: false, accepted: 0, rejected: 0, receipts: 0, ids: [], mo: [] };
const done = () => { process.stdout.write(JSON.stringify(result) + '\n'); session.close(); process.exit(0); };
const timer = setTimeout(done, 20000);

const session = smpp.connect({ url: 'smpp://127.0.0.1:' + port, auto_enquire_link_period: 10000 });
session.on('error', (e) => { result.error = String(e); done(); });
session.on('deliver_sm', (pdu) => {
  session.send(pdu.response());
  if (pdu.esm_class & 4) result.receipts++;
  else result.mo.push(pdu.short_message && pdu.short_message.message);
  if (result.receipts >= count) { clearTimeout(timer); done(); }
});
session.bind_transceiver({ system_id: systemId, password }, (pdu) => {
  if (pdu.command_status !== 0) { result.error = 'bind status ' + pdu.command_status; return done(); }
  result.bound = true;
  for (let i = 0; i < count; i++) {
    session.submit_sm({ destination_addr: '3361234' + (1000 + i), source_addr: 'NODE',
                        short_message: 'Message ' + i + ' from node-smpp', registered_delivery: 1 }, (r) => {
      if (r.command_status === 0) { result.accepted++; result.ids.push(r.message_id); } else result.rejected++;
    });
  }
});
