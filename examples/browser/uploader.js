// The page's uploader: plain JavaScript, no build step. For each chosen file it asks the server for
// what to send (a POST policy, or a multipart upload and one presigned URL per part), sends the
// bytes straight to the store with XMLHttpRequest (fetch reports no upload progress), and shows
// the progress, then the object's key or the store's error.
//
// The page checks no limits itself: the signed policy and part URLs carry them, and the store
// enforces them, whatever a page (or someone calling the store directly) does.

const PART_CONCURRENCY = 4;
const PART_ATTEMPTS = 3;

const config = await api('/api/config');
const list = document.getElementById('files');
document.getElementById('picker').addEventListener('change', (event) => {
  const files = [...event.target.files];
  event.target.value = '';
  for (const file of files) void uploadWithRow(file);
});

async function uploadWithRow(file) {
  const row = fileRow(file);
  try {
    const result = file.size > config.multipartThreshold ? await multipartUpload(file, row) : await postUpload(file, row);
    row.done(result);
  } catch (error) {
    row.failed(error);
  }
}

/** Small files: one multipart/form-data POST under the server's signed policy. */
async function postUpload(file, row) {
  const policy = await api('/api/uploads/post', { filename: file.name, contentType: file.type });
  const form = new FormData();
  for (const [name, value] of Object.entries(policy.fields)) form.append(name, value);
  form.append('file', file); // S3 reads every field before the file: it must come last.
  const response = await send('POST', policy.url, form, (loaded) => row.progress(loaded, file.size));
  if (response.status !== 201) throw storeError(response);
  const answer = new DOMParser().parseFromString(response.text, 'application/xml');
  return { key: answer.querySelector('Key')?.textContent ?? policy.key, etag: answer.querySelector('ETag')?.textContent ?? '' };
}

/** Large files: parts in parallel, each PUT to its own presigned URL, then complete (or abort). */
async function multipartUpload(file, row) {
  const upload = await api('/api/uploads/multipart', { filename: file.name, contentType: file.type, size: file.size });
  const ref = { key: upload.key, uploadId: upload.uploadId };
  const sent = new Array(upload.partCount).fill(0);
  const parts = [];
  let next = 1;
  const worker = async () => {
    while (next <= upload.partCount) {
      const partNumber = next++;
      const start = (partNumber - 1) * upload.partSize;
      const blob = file.slice(start, Math.min(start + upload.partSize, file.size));
      const etag = await sendPart(ref, partNumber, blob, (loaded) => {
        sent[partNumber - 1] = loaded;
        row.progress(sent.reduce((a, b) => a + b, 0), file.size);
      });
      parts.push({ partNumber, etag });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, upload.partCount) }, worker));
    return await api('/api/uploads/multipart/complete', { ...ref, parts });
  } catch (error) {
    next = Infinity; // the other workers stop after their current part
    await api('/api/uploads/multipart/abort', ref).catch(() => undefined);
    throw error;
  }
}

/** One part, retried on a network error or a 5xx; the ETag (exposed by the bucket's CORS rule) is the receipt. */
async function sendPart(ref, partNumber, blob, onProgress) {
  for (let attempt = 1; ; attempt++) {
    const { url } = await api('/api/uploads/multipart/part', { ...ref, partNumber });
    try {
      const response = await send('PUT', url, blob, onProgress);
      if (response.status === 200) {
        const etag = response.etag;
        if (!etag) throw new Error('The store sent no ETag: its CORS rule must expose the ETag header.');
        return etag;
      }
      if (response.status < 500 || attempt === PART_ATTEMPTS) throw storeError(response);
    } catch (error) {
      if (!(error instanceof NetworkError) || attempt === PART_ATTEMPTS) throw error;
    }
    onProgress(0);
  }
}

class NetworkError extends Error {}

/** An XMLHttpRequest as a promise, with upload progress. */
function send(method, url, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText, etag: xhr.getResponseHeader('ETag') });
    xhr.onerror = () => reject(new NetworkError(`${method} to the store failed (network, or no CORS rule for this page's origin).`));
    xhr.send(body);
  });
}

/** The store's own error document, e.g. EntityTooLarge for a file over the policy's size range. */
function storeError(response) {
  const doc = new DOMParser().parseFromString(response.text || '<Error/>', 'application/xml');
  const code = doc.querySelector('Error > Code')?.textContent || `HTTP ${response.status}`;
  const message = doc.querySelector('Error > Message')?.textContent || '';
  return Object.assign(new Error(`The store refused the upload: ${code}${message ? ` (${message})` : ''}`), { code });
}

/** A JSON call to this page's server; its refusals arrive as { error: { code, message } }. */
async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (!response.ok) {
    const { code = `HTTP ${response.status}`, message = '' } = answer.error ?? {};
    throw Object.assign(new Error(`${response.status === 502 ? 'The store' : 'The server'} refused: ${code}. ${message}`.trim()), { code });
  }
  return answer;
}

function fileRow(file) {
  const item = document.createElement('li');
  item.className = 'file';
  item.dataset.name = file.name;
  item.dataset.state = 'uploading';
  item.innerHTML = '<div class="head"><span class="name"></span><span class="meta"></span></div><progress max="1" value="0"></progress><div class="status"></div>';
  const [name, meta, bar, status] = ['.name', '.meta', 'progress', '.status'].map((s) => item.querySelector(s));
  name.textContent = file.name;
  const method = file.size > config.multipartThreshold ? 'multipart' : 'POST';
  meta.textContent = `${formatBytes(file.size)} · ${method}`;
  status.textContent = 'Starting…';
  list.append(item);
  return {
    progress(loaded, total) {
      bar.value = total ? Math.min(loaded / total, 1) : 1;
      status.textContent = `${formatBytes(loaded)} of ${formatBytes(total)} sent`;
    },
    done({ key, etag }) {
      bar.value = 1;
      item.dataset.state = 'done';
      item.dataset.key = key;
      status.textContent = `Stored as ${key}${etag ? ` · ETag ${etag.replaceAll('"', '')}` : ''}`;
    },
    failed(error) {
      item.dataset.state = 'failed';
      item.dataset.error = error.code ?? 'Error';
      status.textContent = error.message;
    },
  };
}

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
