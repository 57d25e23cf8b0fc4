#!/usr/bin/python3
"""Peer for bench/batch.ts: the asyncio pattern s3lane's batch uploader replaces.

    await asyncio.to_thread(requests.put, url, data=<open file>, headers=<SigV4 headers>)

per file, at most CONCURRENCY at a time (asyncio.Semaphore), as a typical asyncio user writes it:
- Signing is botocore's own SigV4 (S3SigV4Auth on an AWSRequest). Over plain HTTP botocore hashes
  the body (x-amz-content-sha256 = SHA-256 of the file, read in 1 MiB blocks and rewound), which is
  also what requests + AWS4Auth-style signers do; it is not UNSIGNED-PAYLOAD. The hashing runs on
  the event loop, before the PUT is handed to a thread, as in the one-liner above.
- Each PUT is a plain requests.put: a new connection per file (no Session), body streamed from
  the file object (requests sends file objects in blocks; Content-Length from the file's size).
  Large files are one PUT each, no multipart.
- The default to_thread executor has min(32, cpus + 4) threads (6 on a 2-core machine), which
  would cap concurrency below the other peers'; it is replaced by one with CONCURRENCY threads.

Usage: /usr/bin/python3 to_thread_upload.py <manifest.json>
The manifest is {"bucket", "concurrency", "files": [{"key", "path", "bytes"}]}; the server comes
from S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION. Prints one JSON line: wallMs and cpuMs
of the upload phase, peakRssBytes of the process, uploaded, failed, firstError, runtime.
"""
import asyncio
import json
import os
import platform
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

try:
    import botocore
    import requests
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as error:
    sys.exit(
        f"to_thread_upload.py: {error} (python {platform.python_version()} at {sys.executable}). "
        "Install Debian's packages and use Debian's interpreter: "
        "apt-get install -y python3-requests python3-botocore; /usr/bin/python3"
    )


def signed_headers(credentials, region, url, body):
    """SigV4 headers for a PUT of `body` (an open file: hashed, then rewound by botocore)."""
    request = AWSRequest(method="PUT", url=url, data=body)
    S3SigV4Auth(credentials, "s3", region).add_auth(request)
    return dict(request.headers)


async def upload_one(semaphore, credentials, region, base_url, bucket, file):
    url = f"{base_url}/{bucket}/{quote(file['key'], safe='/~')}"
    async with semaphore:
        try:
            with open(file["path"], "rb") as body:
                headers = signed_headers(credentials, region, url, body)
                response = await asyncio.to_thread(requests.put, url, data=body, headers=headers)
            if response.status_code != 200:
                return f"{file['key']}: HTTP {response.status_code} {response.text[:200]}"
            return None
        except Exception as error:  # a failed file is reported, not fatal
            return f"{file['key']}: {type(error).__name__}: {error}"


async def upload_all(manifest, credentials, region, base_url):
    concurrency = manifest["concurrency"]
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=concurrency))
    semaphore = asyncio.Semaphore(concurrency)
    return await asyncio.gather(
        *(upload_one(semaphore, credentials, region, base_url, manifest["bucket"], f) for f in manifest["files"])
    )


def peak_rss_bytes():
    """VmHWM from /proc/self/status on Linux, where ru_maxrss is carried over fork and exec (a
    child would report at least its parent's RSS at spawn time); ru_maxrss elsewhere."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    # ru_maxrss is in KiB on Linux, bytes on macOS; only reached off Linux.
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: to_thread_upload.py <manifest.json>")
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    env = os.environ
    credentials = Credentials(env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"])
    region = env.get("S3_REGION") or "us-east-1"
    base_url = env["S3_ENDPOINT"].rstrip("/")

    cpu_before, wall_before = cpu_seconds(), time.perf_counter()
    errors = [e for e in asyncio.run(upload_all(manifest, credentials, region, base_url)) if e]
    wall_ms = (time.perf_counter() - wall_before) * 1000
    cpu_ms = (cpu_seconds() - cpu_before) * 1000

    report = {
        "wallMs": wall_ms,
        "cpuMs": cpu_ms,
        "peakRssBytes": peak_rss_bytes(),
        "uploaded": len(manifest["files"]) - len(errors),
        "failed": len(errors),
        "runtime": f"python {platform.python_version()}, requests {requests.__version__}, botocore {botocore.__version__}",
    }
    if errors:
        report["firstError"] = errors[0]
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
