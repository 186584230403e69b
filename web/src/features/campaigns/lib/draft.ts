/**
 * The editor's form state and its translation to and from the API's campaign body (`POST
 * /v1/campaigns`, `PATCH /v1/campaigns/{id}`): only the current channel's content is sent, blanks
 * become absent (the API refuses null or unknown fields).
 */
import type { DraftAttachment } from './attachments';

export type Channel = 'email' | 'sms' | 'whatsapp';
export type AudienceKind = 'list' | 'segment' | 'people' | 'file';

export interface PickedPerson {
  id: string;
  name: string | null;
}

export interface Draft {
  name: string;
  channel: Channel;
  accountId: string;
  audienceKind: AudienceKind;
  audienceId: string;
  people: PickedPerson[];
  /** A file audience: a completed CRM import that created a list. */
  importId: string;
  smsText: string;
  emailSubject: string;
  emailFromName: string;
  emailReplyTo: string;
  emailHtml: string;
  /** The reusable e-mail template the content came from (`content.template_id`). */
  emailTemplateId: string;
  attachments: DraftAttachment[];
  templateName: string;
  templateLanguage: string;
  templateParameters: string[];
  /** SMS / WhatsApp: the message asks the NPS question (its 0–10 reply is recorded). */
  nps: boolean;
}

export const EMPTY_DRAFT: Draft = {
  name: '',
  channel: 'sms',
  accountId: '',
  audienceKind: 'list',
  audienceId: '',
  people: [],
  importId: '',
  smsText: '',
  emailSubject: '',
  emailFromName: '',
  emailReplyTo: '',
  emailHtml: '',
  emailTemplateId: '',
  attachments: [],
  templateName: '',
  templateLanguage: '',
  templateParameters: [],
  nps: false,
};

export interface CampaignBodyShape {
  name: string;
  channel: Channel;
  account_id?: string;
  audience: { kind: AudienceKind; id?: string; person_ids?: string[]; import_id?: string };
  content: Record<string, unknown>;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function toBody(d: Draft): CampaignBodyShape {
  const audience: CampaignBodyShape['audience'] =
    d.audienceKind === 'people'
      ? { kind: 'people', person_ids: d.people.map((p) => p.id) }
      : d.audienceKind === 'file'
        ? { kind: 'file', import_id: d.importId }
        : { kind: d.audienceKind, id: d.audienceId };
  let content: Record<string, unknown>;
  if (d.channel === 'sms') content = { text: d.smsText };
  else if (d.channel === 'email') {
    content = { subject: d.emailSubject, html: d.emailHtml };
    if (d.emailFromName.trim()) content.from_name = d.emailFromName.trim();
    if (d.emailReplyTo.trim()) content.reply_to = d.emailReplyTo.trim();
    if (d.emailTemplateId) content.template_id = d.emailTemplateId;
    if (d.attachments.length) content.attachments = d.attachments.map((a) => ({ upload_id: a.upload_id }));
  } else {
    content = { template: { name: d.templateName, language: d.templateLanguage, parameters: d.templateParameters } };
  }
  if (d.nps && d.channel !== 'email') content.nps = true;
  return { name: d.name.trim(), channel: d.channel, ...(d.accountId.trim() ? { account_id: d.accountId.trim() } : {}), audience, content };
}

export function fromCampaign(c: {
  name: string;
  channel: Channel;
  account_id?: string | null;
  audience: Record<string, unknown>;
  content: Record<string, unknown>;
}): Draft {
  const audience = c.audience;
  const kind = (['list', 'segment', 'people', 'file'].includes(str(audience.kind)) ? audience.kind : 'list') as AudienceKind;
  const ids = Array.isArray(audience.person_ids) ? audience.person_ids.filter((x): x is string => typeof x === 'string') : [];
  const template = (c.content.template ?? {}) as Record<string, unknown>;
  const parameters = Array.isArray(template.parameters) ? template.parameters.map(str) : [];
  const stored = Array.isArray(c.content.attachments) ? (c.content.attachments as Record<string, unknown>[]) : [];
  const attachments = stored
    .filter((a) => typeof a.upload_id === 'string')
    .map((a) => ({ upload_id: str(a.upload_id), filename: str(a.filename), content_type: str(a.content_type), size: typeof a.size === 'number' ? a.size : 0 }));
  return {
    ...EMPTY_DRAFT,
    name: c.name,
    channel: c.channel,
    accountId: c.account_id ?? '',
    audienceKind: kind,
    audienceId: str(audience.id),
    people: ids.map((id) => ({ id, name: null })),
    importId: str(audience.import_id),
    smsText: str(c.content.text),
    emailSubject: str(c.content.subject),
    emailFromName: str(c.content.from_name),
    emailReplyTo: str(c.content.reply_to),
    emailHtml: str(c.content.html),
    emailTemplateId: str(c.content.template_id),
    attachments,
    templateName: str(template.name),
    templateLanguage: str(template.language),
    templateParameters: parameters,
    nps: c.content.nps === true,
  };
}

/** Resize the parameters to what the chosen template takes, keeping what was typed. */
export function fitParameters(parameters: string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => parameters[i] ?? '');
}
