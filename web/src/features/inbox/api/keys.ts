import { brandKey } from '@/lib/auth';

/** The inbox's query keys, all under the brand (live.ts invalidates by these prefixes). */
export const inboxKeys = {
  conversations: (brandId: string | null) => brandKey(brandId, 'conversations'),
  list: (brandId: string | null, params: object) => brandKey(brandId, 'conversations', 'list', params),
  detail: (brandId: string | null, id: string) => brandKey(brandId, 'conversations', 'detail', id),
  messages: (brandId: string | null, id: string) => brandKey(brandId, 'conversations', 'messages', id),
  history: (brandId: string | null, id: string) => brandKey(brandId, 'conversations', 'history', id),
  notes: (brandId: string | null, id: string) => brandKey(brandId, 'conversations', 'notes', id),
  notifications: (brandId: string | null) => brandKey(brandId, 'notifications'),
  agents: (brandId: string | null) => brandKey(brandId, 'agents'),
  me: (brandId: string | null) => brandKey(brandId, 'agents', 'me'),
  teams: (brandId: string | null) => brandKey(brandId, 'teams'),
  closeReasons: (brandId: string | null) => brandKey(brandId, 'close-reasons'),
  quickReplies: (brandId: string | null) => brandKey(brandId, 'quick-replies'),
  preview: (brandId: string | null, replyId: string, conversationId: string) =>
    brandKey(brandId, 'quick-replies', 'preview', replyId, conversationId),
  templates: (brandId: string | null, accountId: string) => brandKey(brandId, 'whatsapp-templates', accountId),
};
