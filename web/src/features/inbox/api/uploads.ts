/**
 * Agent attachments by upload (docs/channels.md): `POST /v1/conversations/{id}/uploads` checks
 * the type and size against the channel and signs a PUT URL; the browser PUTs the bytes there
 * (XMLHttpRequest, for upload progress); the reply then names the upload by id.
 */
import { api, unwrap } from '@/lib/api-client';

export interface UploadedFile {
  upload_id: string;
  filename: string;
  mime_type: string;
}

/** `fraction` in 0..1 */
export type Uploader = (file: File, onProgress: (fraction: number) => void) => Promise<UploadedFile>;

/** The PUT to the presigned URL failed (network, expired URL, storage refused). */
export class UploadPutError extends Error {
  constructor(readonly status: number) {
    super(`upload PUT failed (${status})`);
  }
}

/** Browsers report an empty type for unknown extensions: declare what the API can check. */
export function contentTypeOf(file: File): string {
  return file.type || 'application/octet-stream';
}

function put(url: string, file: File, contentType: string, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', contentType);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new UploadPutError(xhr.status)));
    xhr.onerror = () => reject(new UploadPutError(0));
    xhr.onabort = () => reject(new UploadPutError(0));
    xhr.send(file);
  });
}

export function uploaderFor(conversationId: string): Uploader {
  return async (file, onProgress) => {
    const contentType = contentTypeOf(file);
    // The API refuses a type or size the channel does not take (422, bilingual message) before signing.
    const upload = await unwrap(
      api.POST('/v1/conversations/{conversation_id}/uploads', {
        params: { path: { conversation_id: conversationId } },
        body: { filename: file.name, content_type: contentType, size: file.size },
      }),
    );
    onProgress(0);
    await put(upload.upload_url, file, upload.content_type || contentType, onProgress);
    onProgress(1);
    return { upload_id: upload.id, filename: upload.filename, mime_type: upload.content_type };
  };
}
