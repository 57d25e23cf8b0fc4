/**
 * A benchmark sink that costs little CPU, so the client's own cost shows: Debian's nginx on
 * 127.0.0.1. A PUT's body is read to the end and dropped (200 with an ETag); GETs (with Range, ETag
 * and If-Match) are served from files in tmpfs that the benchmark writes under `root` itself
 * (`<root>/<bucket>/<key>`). The S3 multipart calls get fixed XML answers, so multipart uploaders
 * work against it too. It checks no signature: it measures a client's cost, never its correctness.
 *
 * Started by bench/transfer.ts; by hand: `npx tsx bench/lib/nginx-sink.ts` prints the endpoint and
 * runs until Ctrl-C. Needs `nginx` (apt-get install -y nginx).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface NginxSink {
  /** `http://127.0.0.1:<port>`: path-style S3 URLs map to files under the sink's root. */
  endpoint: string;
  /** The directory GETs are served from: `<root>/<bucket>/<key>`. */
  root: string;
  stop(): Promise<void>;
}

const TMPFS = '/dev/shm';

/** A port nothing listens on now (nginx cannot listen on port 0 and tell us which it got). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function config(prefix: string, port: number): string {
  const etag = `'"0123456789abcdef0123456789abcdef"'`;
  return `
worker_processes 1;
daemon off;
master_process on;
user root;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_max_body_size 0;
  client_body_buffer_size 1m;
  client_body_temp_path ${prefix}/tmp;
  upstream answer { server 127.0.0.1:${port}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    root ${prefix}/data;
    location / {
      if ($request_method = PUT) { rewrite ^ /__put last; }
      if ($request_method = POST) { rewrite ^ /__post last; }
      # ListMultipartUploads (minio looks for an upload to resume): none.
      if ($args ~ "(^|&)uploads(=|&|$)") { rewrite ^ /__uploads last; }
    }
    location = /__uploads {
      internal;
      default_type application/xml;
      return 200 '<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>';
    }
    # A PUT's body is read to the end (request buffering) and dropped; the 200 with an ETag comes
    # from /__answer. (WebDAV would store it, but answers 201/204, which some clients refuse.)
    location = /__put {
      internal;
      proxy_pass http://answer/__answer;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
    location = /__answer {
      add_header ETag ${etag} always;
      return 200;
    }
    location = /__post {
      internal;
      default_type application/xml;
      if ($args ~ "uploads") {
        return 200 '<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>sink-upload</UploadId></InitiateMultipartUploadResult>';
      }
      return 200 '<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Location>http://127.0.0.1/b/k</Location><Bucket>b</Bucket><Key>k</Key><ETag>"0123456789abcdef0123456789abcdef-1"</ETag></CompleteMultipartUploadResult>';
    }
  }
}
`;
}

/** Starts nginx on a free loopback port with its root in tmpfs; `stop()` ends it and removes the files. */
export async function startNginxSink(): Promise<NginxSink> {
  if (spawnSync('nginx', ['-v']).error) throw new Error('nginx not found: apt-get install -y nginx');
  const prefix = await mkdtemp(join(TMPFS, 's3lane-sink-'));
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  await writeFile(conf, config(prefix, port));
  await mkdir(join(prefix, 'data'));
  await mkdir(join(prefix, 'tmp'));
  const nginx: ChildProcess = spawn('nginx', ['-p', prefix, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilServing(endpoint, nginx, () => stderr);
  return {
    endpoint,
    root: join(prefix, 'data'),
    async stop() {
      if (nginx.exitCode === null) {
        const exited = new Promise((resolve) => nginx.once('exit', resolve));
        nginx.kill('SIGQUIT');
        await exited;
      }
      await rm(prefix, { recursive: true, force: true });
    },
  };
}

async function waitUntilServing(endpoint: string, nginx: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited with ${nginx.exitCode}: ${stderr()}`);
    try {
      await fetch(`${endpoint}/`, { method: 'HEAD' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  nginx.kill('SIGKILL');
  throw new Error(`nginx did not answer on ${endpoint}: ${stderr()}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sink = await startNginxSink();
  console.log(`nginx sink: S3_ENDPOINT=${sink.endpoint} (Ctrl-C stops it)`);
  process.once('SIGINT', () => void sink.stop().then(() => process.exit(0)));
}
