/**
 * E-mail attachment limits, checked in the browser before anything is uploaded (the API checks
 * them again on save): each file under 5 MB, all of them together under 24 MB, at most 10.
 */
export const MB = 1024 * 1024;
export const MAX_EACH = 5 * MB;
export const MAX_TOTAL = 24 * MB;
export const MAX_FILES = 10;

export interface DraftAttachment {
  upload_id: string;
  filename: string;
  content_type: string;
  size: number;
}

export type AttachmentProblem =
  | { kind: 'too_large'; filename: string }
  | { kind: 'empty'; filename: string }
  | { kind: 'total' }
  | { kind: 'count' };

/** Which of `files` may be added to `current`; the first problem that stops each of the others. */
export function checkAttachments(current: { size: number }[], files: { name: string; size: number }[]): {
  accepted: number[];
  problems: AttachmentProblem[];
} {
  let total = current.reduce((sum, a) => sum + a.size, 0);
  let count = current.length;
  const accepted: number[] = [];
  const problems: AttachmentProblem[] = [];
  files.forEach((f, i) => {
    if (f.size === 0) problems.push({ kind: 'empty', filename: f.name });
    else if (f.size >= MAX_EACH) problems.push({ kind: 'too_large', filename: f.name });
    else if (count >= MAX_FILES) problems.push({ kind: 'count' });
    else if (total + f.size >= MAX_TOTAL) problems.push({ kind: 'total' });
    else {
      accepted.push(i);
      total += f.size;
      count += 1;
    }
  });
  return { accepted, problems };
}

/** "820 KB", "4,8 MB" — sizes as people read them, in the UI's language. */
export function formatSize(bytes: number, language: string): string {
  const fmt = (n: number) => n.toLocaleString(language, { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MB) return `${fmt(bytes / 1024)} KB`;
  return `${fmt(bytes / MB)} MB`;
}

export function totalSize(attachments: { size: number }[]): number {
  return attachments.reduce((sum, a) => sum + a.size, 0);
}
