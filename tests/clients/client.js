// A shop's two main calls with Node.js's https module: a campaign, then a transactional message.
//   TOCSIN_URL=https://alerts.example TOCSIN_TOKEN=... [TOCSIN_CA=cert.pem] node client.js
'use strict';
const fs = require('fs');
const https = require('https');

const base = new URL(process.env.TOCSIN_URL);
const ca = process.env.TOCSIN_CA ? fs.readFileSync(process.env.TOCSIN_CA) : undefined;

function post(path, body, key) {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = https.request({
      hostname: base.hostname, port: base.port, path, method: 'POST', ca,
      headers: {
        Authorization: `Bearer ${process.env.TOCSIN_TOKEN}`, 'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(data), 'Idempotency-Key': key,
      },
    }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => {
        if (response.statusCode >= 300) reject(new Error(`${path}: ${response.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
    });
    request.on('error', reject);
    request.end(data);
  });
}

(async () => {
  const campaign = await post('/v1/campaigns', {
    title: 'Winter menu',
    texts: [{ language: 'fr', text: 'Bonjour {name|}, le menu d hiver est arrive (node).' }],
    area: { lists: ['regulars'] },
  }, 'node-campaign-1');
  console.log('campaign', campaign.id, campaign.state);
  const message = await post('/v1/messages', {
    to: '+33612000501',
    text: 'Votre commande {order} est prete (node).',
    fields: { order: 'N-1' },
    no_promotion: true,
  }, 'node-order-1');
  console.log('message', message.id, message.state);
})().catch((error) => { console.error(error.message); process.exit(1); });
