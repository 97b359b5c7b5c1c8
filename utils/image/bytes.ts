/** Byte helpers that behave the same in the worker, extension pages and Node tests. */

export async function blobToDataUri(blob: Blob, mime = blob.type || 'application/octet-stream'): Promise<string> {
  return `data:${mime};base64,${bytesToBase64(new Uint8Array(await blob.arrayBuffer()))}`;
}

export function bytesToBase64(bytes: Uint8Array): string {
  // btoa needs a binary string; build it in chunks so large images don't overflow the stack.
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export async function sha256Hex(data: Blob | ArrayBuffer | Uint8Array<ArrayBuffer> | string): Promise<string> {
  const buf =
    typeof data === 'string'
      ? new TextEncoder().encode(data)
      : data instanceof Blob
        ? await data.arrayBuffer()
        : data;
  const digest = await crypto.subtle.digest('SHA-256', buf);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
