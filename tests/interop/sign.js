#!/usr/bin/env node
// Prints a UserSig made by the official npm package, so tests can check the emulator against the real generator.
// Usage: node sign.js <sdkappid> <key> <identifier> [expire_seconds]
'use strict';

const { Api } = require('tls-sig-api-v2');

const DEFAULT_EXPIRE = 86400 * 180;  // the official libraries' documented default

function fail(message) {
    process.stderr.write(`sign.js: ${message}\nusage: node sign.js <sdkappid> <key> <identifier> [expire_seconds]\n`);
    process.exit(2);
}

const args = process.argv.slice(2);
if (args.length < 3 || args.length > 4) fail('expected 3 or 4 arguments');
const [appidText, key, identifier, expireText] = args;

// The package signs the values as given but writes Number(value) into the JSON, so anything but a canonical decimal
// (or an omitted expire, which it would sign as "undefined") yields a UserSig no verifier accepts.
const canonical = /^(0|[1-9][0-9]*)$/;
if (!canonical.test(appidText) || !Number.isSafeInteger(Number(appidText))) fail(`bad sdkappid: ${appidText}`);
if (expireText !== undefined && (!canonical.test(expireText) || !Number.isSafeInteger(Number(expireText)))) {
    fail(`bad expire_seconds: ${expireText}`);
}
const expire = expireText === undefined ? DEFAULT_EXPIRE : Number(expireText);

process.stdout.write(new Api(Number(appidText), key).genUserSig(identifier, expire) + '\n');
