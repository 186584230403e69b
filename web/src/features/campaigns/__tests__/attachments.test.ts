import { describe, expect, it } from 'vitest';
import { checkAttachments, formatSize, MAX_FILES, MB, totalSize } from '../lib/attachments';
import { EMPTY_DRAFT, fromCampaign, toBody } from '../lib/draft';

describe('attachment limits', () => {
  it('refuses a file of 5 MB or more and an empty one, keeps the rest', () => {
    const { accepted, problems } = checkAttachments([], [
      { name: 'a.pdf', size: 5 * MB - 1 }, { name: 'b.pdf', size: 5 * MB }, { name: 'c.pdf', size: 0 },
    ]);
    expect(accepted).toEqual([0]);
    expect(problems).toEqual([{ kind: 'too_large', filename: 'b.pdf' }, { kind: 'empty', filename: 'c.pdf' }]);
  });

  it('keeps the total under 24 MB, counting what is already attached', () => {
    const current = Array.from({ length: 4 }, () => ({ size: 4.9 * MB }));  // 19.6 MB
    const { accepted, problems } = checkAttachments(current, [{ name: 'x', size: 4.5 * MB }, { name: 'y', size: 1 * MB }]);
    expect(accepted).toEqual([1]);  // 19.6 + 4.5 ≥ 24, 19.6 + 1 < 24
    expect(problems).toEqual([{ kind: 'total' }]);
  });

  it('takes at most 10 files', () => {
    const current = Array.from({ length: MAX_FILES - 1 }, () => ({ size: 10 }));
    const { accepted, problems } = checkAttachments(current, [{ name: 'a', size: 1 }, { name: 'b', size: 1 }]);
    expect(accepted).toEqual([0]);
    expect(problems).toEqual([{ kind: 'count' }]);
  });

  it('formats sizes for people', () => {
    expect(formatSize(512, 'es')).toBe('512 B');
    expect(formatSize(2048, 'es')).toBe('2 KB');
    expect(formatSize(4.5 * MB, 'es')).toBe('4,5 MB');
    expect(formatSize(4.5 * MB, 'en')).toBe('4.5 MB');
    expect(totalSize([{ size: 1 }, { size: 2 }])).toBe(3);
  });
});

describe('draft: template, attachments and file audience', () => {
  it('sends template_id, attachment upload ids and a file audience', () => {
    const body = toBody({
      ...EMPTY_DRAFT, name: 'N', channel: 'email', audienceKind: 'file', importId: 'imp1', audienceId: 'ignored',
      emailSubject: 'S', emailHtml: '<p>x</p>', emailTemplateId: 't1',
      attachments: [{ upload_id: 'up1', filename: 'a.pdf', content_type: 'application/pdf', size: 10 }],
    });
    expect(body).toEqual({ name: 'N', channel: 'email', audience: { kind: 'file', import_id: 'imp1' },
      content: { subject: 'S', html: '<p>x</p>', template_id: 't1', attachments: [{ upload_id: 'up1' }] } });
  });

  it('reads them back from a stored campaign (attachments with their stored name and size)', () => {
    const draft = fromCampaign({ name: 'N', channel: 'email', audience: { kind: 'file', import_id: 'imp1' }, content: {
      subject: 'S', html: '<p>x</p>', template_id: 't1',
      attachments: [{ upload_id: 'up1', key: 'demo/campaigns/attachments/up1/a.pdf', filename: 'a.pdf', content_type: 'application/pdf', size: 10 }],
    } });
    expect(draft.audienceKind).toBe('file');
    expect(draft.importId).toBe('imp1');
    expect(draft.emailTemplateId).toBe('t1');
    expect(draft.attachments).toEqual([{ upload_id: 'up1', filename: 'a.pdf', content_type: 'application/pdf', size: 10 }]);
    expect(toBody(draft).content).toEqual({ subject: 'S', html: '<p>x</p>', template_id: 't1', attachments: [{ upload_id: 'up1' }] });
  });
});
