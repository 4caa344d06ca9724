#!/usr/bin/env node
// A backend written as for the real service: https:// and Tencent's domain hard-coded, the admin UserSig signed
// with Tencent's npm package, requests sent with axios (which, like the console's Express server, honours
// HTTPS_PROXY). Pointed at the emulator with nothing but environment variables:
//
//   HTTPS_PROXY=http://127.0.0.1:9080 NODE_EXTRA_CA_CERTS=emulator-ca.pem \
//   SDKAPPID=1400000000 SECRET_KEY=... ADMIN=administrator node flow.js
//
// It runs create → set metadata → info + metadata → list → destroy → info, prints one JSON line per call, and
// exits 1 when any answer is not the one the real service would give.
//
// PROXY_MODE picks how the request reaches the proxy:
//   env     (default) axios's own HTTPS_PROXY support, what the console's server uses: it sends the https:// URL to
//           the proxy as an absolute-form target over plain HTTP (no TLS at all);
//   tunnel  an agent that CONNECTs and speaks TLS inside the tunnel, as curl, Go, Java and most HTTP libraries do:
//           the emulator's leaf certificate must be trusted (NODE_EXTRA_CA_CERTS).
'use strict';

const axios = require('axios');
const { HttpsProxyAgent } = require('https-proxy-agent');
const { Api } = require('tls-sig-api-v2');

const PROXY = process.env.HTTPS_PROXY || process.env.https_proxy;
const client = process.env.PROXY_MODE === 'tunnel'
    ? axios.create({ httpsAgent: new HttpsProxyAgent(PROXY), proxy: false })
    : axios.create();

const DOMAIN = process.env.LIVE_API_DOMAIN || 'console.tim.qq.com';
const SDKAPPID = Number(process.env.SDKAPPID || 1400000000);
const SECRET_KEY = process.env.SECRET_KEY || '';
const ADMIN = process.env.ADMIN || 'administrator';
const ROOM_ID = process.env.ROOM_ID || `node-example-${process.pid}`;

const userSig = new Api(SDKAPPID, SECRET_KEY).genUserSig(ADMIN, 180);

async function call(service, command, body) {
    const random = Math.floor(Math.random() * 4294967295);
    const url = `https://${DOMAIN}/v4/${service}/${command}?sdkappid=${SDKAPPID}&identifier=${ADMIN}` +
                `&usersig=${userSig}&random=${random}&contenttype=json`;
    const { data } = await client.post(url, body, { headers: { 'Content-Type': 'application/json' }, timeout: 10000 });
    process.stdout.write(JSON.stringify({ command, ErrorCode: data.ErrorCode, ErrorInfo: data.ErrorInfo }) + '\n');
    return data;
}

function expect(condition, what) {
    if (!condition) throw new Error(`unexpected answer: ${what}`);
}

async function main() {
    const live = 'live_engine_http_srv';
    const created = await call(live, 'create_room', {
        RoomInfo: { RoomId: ROOM_ID, RoomType: 'Live', SeatTemplate: 'VideoDynamicGrid9Seats', Owner_Account: ADMIN,
                    IsUnlimitedRoomEnabled: true },
    });
    expect(created.ErrorCode === 0 && created.RoomId === ROOM_ID, 'create_room');

    const metadata = [{ Key: 'topic', Value: 'emulated' }, { Key: 'host', Value: ADMIN }];
    expect((await call(live, 'set_room_metadata', { RoomId: ROOM_ID, Metadata: metadata })).ErrorCode === 0,
           'set_room_metadata');

    const [info, stored] = await Promise.all([
        call(live, 'get_room_info', { RoomId: ROOM_ID }),
        call(live, 'get_room_metadata', { RoomId: ROOM_ID, Keys: [] }),
    ]);
    expect(info.ErrorCode === 0 && info.Response.RoomInfo.RoomId === ROOM_ID &&
           info.Response.RoomInfo.Owner_Account === ADMIN, 'get_room_info');
    const byKey = Object.fromEntries(stored.Response.Metadata.map((item) => [item.Key, item.Value]));
    expect(stored.ErrorCode === 0 && byKey.topic === 'emulated' && byKey.host === ADMIN, 'get_room_metadata');

    const list = await call(live, 'get_room_list', { Next: '0', Count: 20, SortDirection: 'descend' });
    expect(list.ErrorCode === 0 && list.Response.RoomList.some((room) => room.RoomId === ROOM_ID), 'get_room_list');

    expect((await call(live, 'destroy_room', { RoomId: ROOM_ID })).ErrorCode === 0, 'destroy_room');
    expect((await call(live, 'get_room_info', { RoomId: ROOM_ID })).ErrorCode === 100004, 'get_room_info after destroy');
    process.stdout.write(JSON.stringify({ flow: 'ok', room: ROOM_ID }) + '\n');
}

main().catch((error) => {
    process.stderr.write(`flow.js: ${error.message}\n`);
    process.exit(1);
});
