/**
 * multipart/form-data for the web form (fields and a few files), parsed from the whole body,
 * which the route's bodyLimit keeps small. Fields are text; files keep their declared name and
 * type, which nobody trusts: the type is detected from the bytes when stored.
 */
export interface UploadedFile { field: string; filename: string; contentType: string | undefined; content: Buffer; size: number }
export interface MultipartForm { fields: Record<string, string>; files: UploadedFile[] }

export function boundaryOf(contentType: string | undefined): string | null {
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]!) : null;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartForm {
  const form: MultipartForm = { fields: {}, files: [] };
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Error('no multipart boundary in the body');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') break; // the closing delimiter
    at += 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) throw new Error('a part has no headers');
    const headers = body.subarray(at, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new Error('a part is not closed');
    const content = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) {
        if (content.length) form.files.push({ field: name, filename: filename.slice(0, 255) || 'attachment', contentType: /content-type:\s*([^\r\n;]*)/i.exec(headers)?.[1]?.trim(), content: Buffer.from(content), size: content.length });
      } else {
        form.fields[name] = content.toString('utf8');
      }
    }
    at = next + 2;
  }
  return form;
}
