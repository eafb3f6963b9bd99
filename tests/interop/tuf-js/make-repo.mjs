#!/usr/bin/env node
// Builds a complete TUF repository with the tuf-js models and node:crypto only -- no Otter
// code -- so that Otter's client can be checked against metadata it did not write.
//
//   node make-repo.mjs OUT_DIR TARGET_NAME TARGET_FILE [--rotate-root]
//
// Keys are fresh ECDSA P-256 keys in TUF form: keytype "ecdsa", scheme "ecdsa-sha2-nistp256",
// keyval.public a PEM SubjectPublicKeyInfo, key id the SHA-256 of the key's canonical JSON.
// Signatures are hex DER ECDSA-SHA256 signatures of the canonical JSON of "signed".
// The layout uses consistent snapshots:
//   OUT_DIR/metadata/1.root.json, [2.root.json,] root.json, 1.targets.json, 1.snapshot.json,
//   timestamp.json
//   OUT_DIR/targets/[DIR/]<sha256>.<BASENAME>
// With --rotate-root, 2.root.json moves root to a new key and is signed by the old and new
// root keys, so a client starting from 1.root.json must walk the root chain.
//
// Prints one line of JSON with the paths. Exit codes: 0 written, 1 failed, 2 usage error.

import { canonicalize } from '@tufjs/canonical-json';
import { Key, Metadata, MetaFile, Root, Signature, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

const USAGE = 'usage: node make-repo.mjs OUT_DIR TARGET_NAME TARGET_FILE [--rotate-root]';
const KEY_TYPE = 'ecdsa';
const SCHEME = 'ecdsa-sha2-nistp256';
const DAY_MS = 24 * 60 * 60 * 1000;

function usage(message) {
  process.stderr.write(`make-repo.mjs: ${message}\n${USAGE}\n`);
  process.exitCode = 2;
}

const sha256Hex = (bytes) => createHash('sha256').update(bytes).digest('hex');

// TUF dates are YYYY-MM-DDTHH:MM:SSZ: UTC, whole seconds, no fraction.
const tufDate = (date) => `${date.toISOString().slice(0, 19)}Z`;

const expiresIn = (days) => tufDate(new Date(Date.now() + days * DAY_MS));

function newKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyVal = { public: publicKey.export({ type: 'spki', format: 'pem' }) };
  // The key id is computed over exactly the fields TUF puts in the "keys" entry.
  const keyID = sha256Hex(Buffer.from(canonicalize({ keytype: KEY_TYPE, scheme: SCHEME, keyval: keyVal })));
  return { key: new Key({ keyID, keyType: KEY_TYPE, scheme: SCHEME, keyVal }), privateKey };
}

// A signer for Metadata.sign: it is handed the canonical JSON bytes of "signed".
const signerFor = (k) => (bytes) =>
  new Signature({ keyID: k.key.keyID, sig: sign('sha256', bytes, { key: k.privateKey, dsaEncoding: 'der' }).toString('hex') });

function signed(signedPart, ...keys) {
  const metadata = new Metadata(signedPart);
  for (const k of keys) {
    metadata.sign(signerFor(k));
  }

  // Check with the models' own verification that the signatures hold, before writing anything.
  for (const k of keys) {
    k.key.verifySignature(metadata);
  }

  return Buffer.from(`${JSON.stringify(metadata.toJSON(), null, 2)}\n`);
}

function rootMetadata(version, rootKey, online) {
  const root = new Root({ version, expires: expiresIn(365), consistentSnapshot: true });
  root.addKey(rootKey.key, 'root');
  root.addKey(online.targets.key, 'targets');
  root.addKey(online.snapshot.key, 'snapshot');
  root.addKey(online.timestamp.key, 'timestamp');
  return root;
}

async function main(argv) {
  const flags = argv.filter((a) => a.startsWith('--'));
  const positional = argv.filter((a) => !a.startsWith('--'));
  const unknown = flags.filter((f) => f !== '--rotate-root');
  if (unknown.length > 0) {
    usage(`unknown option ${unknown[0]}`);
    return;
  }

  if (positional.length !== 3) {
    usage(`expected 3 arguments, got ${positional.length}`);
    return;
  }

  const rotateRoot = flags.includes('--rotate-root');
  const [outArg, targetName, targetFile] = positional;
  const segments = targetName.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..') || targetName.includes('\\')) {
    usage(`target name ${targetName} must be a relative path without empty, "." or ".." segments`);
    return;
  }

  let content;
  try {
    content = await fs.readFile(targetFile);
  } catch (error) {
    usage(`cannot read ${targetFile}: ${error.message}`);
    return;
  }

  const out = path.resolve(outArg);
  try {
    if ((await fs.readdir(out)).length > 0) {
      usage(`${outArg} is not empty`);
      return;
    }
  } catch {
    // does not exist yet
  }

  const metadataDir = path.join(out, 'metadata');
  const targetsDir = path.join(out, 'targets');
  await fs.mkdir(metadataDir, { recursive: true });
  await fs.mkdir(targetsDir, { recursive: true });

  const online = { targets: newKey(), snapshot: newKey(), timestamp: newKey() };
  const root1Key = newKey();
  const written = {};
  const write = async (name, bytes) => {
    const file = path.join(metadataDir, name);
    await fs.writeFile(file, bytes);
    written[name] = file;
    return bytes;
  };

  // Root v1, and with --rotate-root v2 under a new root key, signed by the old and the new key.
  let rootBytes = await write('1.root.json', signed(rootMetadata(1, root1Key, online), root1Key));
  let rootVersion = 1;
  if (rotateRoot) {
    const root2Key = newKey();
    rootBytes = await write('2.root.json', signed(rootMetadata(2, root2Key, online), root1Key, root2Key));
    rootVersion = 2;
  }

  await write('root.json', rootBytes);

  // The target, stored under its hash prefix as consistent snapshots require.
  const sha256 = sha256Hex(content);
  const dir = segments.slice(0, -1).join('/');
  const base = segments[segments.length - 1];
  const storedRelative = dir ? `${dir}/${sha256}.${base}` : `${sha256}.${base}`;
  const stored = path.join(targetsDir, ...storedRelative.split('/'));
  await fs.mkdir(path.dirname(stored), { recursive: true });
  await fs.writeFile(stored, content);

  const targetFileEntry = new TargetFile({
    path: targetName,
    length: content.length,
    hashes: { sha256 },
    unrecognizedFields: { custom: { origin: 'tuf-js', version: '1.0.0' } },
  });
  const targets = new Targets({ version: 1, expires: expiresIn(90) });
  targets.addTarget(targetFileEntry);
  await write('1.targets.json', signed(targets, online.targets));

  // Snapshot lists targets by version only (as python-tuf does by default); timestamp gives
  // the snapshot's length and hash too, so both forms are exercised.
  const snapshot = new Snapshot({ version: 1, expires: expiresIn(7), meta: { 'targets.json': new MetaFile({ version: 1 }) } });
  const snapshotBytes = await write('1.snapshot.json', signed(snapshot, online.snapshot));

  const timestamp = new Timestamp({
    version: 1,
    expires: expiresIn(1),
    snapshotMeta: new MetaFile({ version: 1, length: snapshotBytes.length, hashes: { sha256: sha256Hex(snapshotBytes) } }),
  });
  await write('timestamp.json', signed(timestamp, online.timestamp));

  const result = {
    ok: true,
    dir: out,
    trustedRoot: written['1.root.json'],
    rootVersion,
    metadata: written,
    target: { name: targetName, length: content.length, sha256, path: stored },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`make-repo.mjs: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
