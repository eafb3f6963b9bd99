#!/usr/bin/env node
// Fetches and verifies one target from a TUF repository directory with tuf-js, an independent
// TUF client, to check that what Otter writes is conformant TUF.
//
//   node client.mjs REPO_DIR TRUSTED_ROOT TARGET_NAME OUTPUT_FILE
//
// REPO_DIR holds metadata/ and targets/ as Otter lays them out. It is served over HTTP on an
// ephemeral 127.0.0.1 port for the duration of the run; nothing else is contacted.
// TRUSTED_ROOT is the root metadata the client starts from (e.g. a copy of 1.root.json).
//
// Prints one line of JSON. It also reports whether every key id in the trusted and the final
// root is the SHA-256 of the key's canonical JSON (tuf-js itself does not check this).
// Exit codes: 0 target downloaded and verified, 1 the TUF workflow
// failed (bad signature, hash mismatch, expired metadata, missing target, ...), 2 usage error.

import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { canonicalize } from '@tufjs/canonical-json';
import { Updater } from 'tuf-js';

const USAGE = 'usage: node client.mjs REPO_DIR TRUSTED_ROOT TARGET_NAME OUTPUT_FILE';

function usage(message) {
  process.stderr.write(`client.mjs: ${message}\n${USAGE}\n`);
  process.stdout.write(`${JSON.stringify({ ok: false, usage: true, error: message })}\n`);
  process.exitCode = 2;
}

async function isDirectory(p) {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(p) {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

// A static file server for ROOT: GET and HEAD only, 404 for anything missing or outside ROOT.
function serve(root) {
  const server = http.createServer(async (request, response) => {
    const send = (status, body) => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        send(405, 'method not allowed\n');
        return;
      }

      const { pathname } = new URL(request.url, 'http://127.0.0.1');
      const relative = decodeURIComponent(pathname);
      const file = path.resolve(root, `.${relative}`);
      if (relative.includes('\0') || (file !== root && !file.startsWith(root + path.sep))) {
        send(404, 'not found\n');
        return;
      }

      let stat;
      try {
        stat = await fs.stat(file);
      } catch {
        stat = undefined;
      }

      if (!stat || !stat.isFile()) {
        send(404, 'not found\n');
        return;
      }

      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': stat.size });
      if (request.method === 'HEAD') {
        response.end();
        return;
      }

      const stream = createReadStream(file);
      stream.on('error', () => response.destroy());
      stream.pipe(response);
    } catch {
      if (!response.headersSent) {
        send(500, 'internal error\n');
      } else {
        response.destroy();
      }
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk);
  }

  return hash.digest('hex');
}

async function trustedVersion(metadataDir, role) {
  try {
    const data = JSON.parse(await fs.readFile(path.join(metadataDir, `${role}.json`), 'utf8'));
    return data.signed.version;
  } catch {
    return null;
  }
}

// Key ids in root metadata that are not the SHA-256 of {keytype, scheme, keyval} in canonical JSON.
async function keyIdMismatches(rootFile) {
  const root = JSON.parse(await fs.readFile(rootFile, 'utf8'));
  const mismatched = [];
  let checked = 0;
  for (const [keyId, key] of Object.entries(root.signed.keys ?? {})) {
    checked += 1;
    const canonical = canonicalize({ keytype: key.keytype, scheme: key.scheme, keyval: key.keyval });
    if (createHash('sha256').update(canonical, 'utf8').digest('hex') !== keyId) {
      mismatched.push(keyId);
    }
  }

  return { checked, mismatched };
}

async function main(argv) {
  if (argv.length !== 4) {
    usage(`expected 4 arguments, got ${argv.length}`);
    return;
  }

  const [repoArg, trustedRootArg, targetName, outputArg] = argv;
  const repoDir = path.resolve(repoArg);
  const trustedRoot = path.resolve(trustedRootArg);
  const output = path.resolve(outputArg);
  if (!(await isDirectory(path.join(repoDir, 'metadata')))) {
    usage(`${repoArg} has no metadata/ directory`);
    return;
  }

  if (!(await isFile(trustedRoot))) {
    usage(`trusted root ${trustedRootArg} does not exist`);
    return;
  }

  if (targetName.length === 0) {
    usage('the target name is empty');
    return;
  }

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'otter-tuf-js-'));
  const metadataDir = path.join(work, 'metadata');
  const targetDir = path.join(work, 'targets');
  await fs.mkdir(metadataDir);
  await fs.mkdir(targetDir);
  await fs.copyFile(trustedRoot, path.join(metadataDir, 'root.json'));

  let server;
  try {
    server = await serve(repoDir);
  } catch (error) {
    await fs.rm(work, { recursive: true, force: true });
    throw error;
  }

  const { port } = server.address();
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    const updater = new Updater({
      metadataBaseUrl: `${baseUrl}/metadata/`,
      targetBaseUrl: `${baseUrl}/targets/`,
      metadataDir,
      targetDir,
      config: { fetchTimeout: 30000, fetchRetry: 0 },
    });
    await updater.refresh();
    const info = await updater.getTargetInfo(targetName);
    if (!info) {
      throw new Error(`target ${targetName} not found in the repository's targets metadata`);
    }

    await fs.mkdir(path.dirname(output), { recursive: true });
    await updater.downloadTarget(info, output);
    const initialKeys = await keyIdMismatches(trustedRoot);
    const finalKeys = await keyIdMismatches(path.join(metadataDir, 'root.json'));
    const result = {
      ok: true,
      target: info.path,
      length: info.length,
      hashes: info.hashes,
      custom: info.custom ?? null,
      sha256: await sha256File(output),
      output,
      root: await trustedVersion(metadataDir, 'root'),
      timestamp: await trustedVersion(metadataDir, 'timestamp'),
      snapshot: await trustedVersion(metadataDir, 'snapshot'),
      targets: await trustedVersion(metadataDir, 'targets'),
      keyIds: {
        checked: initialKeys.checked + finalKeys.checked,
        mismatched: [...initialKeys.mismatched, ...finalKeys.mismatched],
      },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = 0;
  } catch (error) {
    const name = error?.constructor?.name ?? 'Error';
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`client.mjs: verification failed: ${name}: ${message}\n`);
    process.stdout.write(`${JSON.stringify({ ok: false, error: `${name}: ${message}` })}\n`);
    process.exitCode = 1;
  } finally {
    await closeServer(server);
    await fs.rm(work, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`client.mjs: ${error?.stack ?? error}\n`);
  process.exitCode = 2;
});
