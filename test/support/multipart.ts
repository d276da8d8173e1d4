/** Builds a multipart/form-data body by hand so tests control every byte (and can send bad ones). */
export function multipartBody(
  parts: { name: string; value: string | Buffer; filename?: string; contentType?: string }[],
): {
  body: Buffer;
  contentType: string;
} {
  const boundary = `----vanthu${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.filename
      ? `form-data; name="${part.name}"; filename="${part.filename}"`
      : `form-data; name="${part.name}"`;
    const type = part.contentType ? `\r\nContent-Type: ${part.contentType}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`, 'utf8'));
    chunks.push(typeof part.value === 'string' ? Buffer.from(part.value, 'utf8') : part.value);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function documentUpload(
  pdf: Buffer,
  metadata: unknown,
  filename = 'cong-van.pdf',
): { body: Buffer; contentType: string } {
  return multipartBody([
    { name: 'metadata', value: typeof metadata === 'string' ? metadata : JSON.stringify(metadata) },
    { name: 'file', value: pdf, filename, contentType: 'application/pdf' },
  ]);
}
