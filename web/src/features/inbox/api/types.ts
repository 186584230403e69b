import type { components } from '@/lib/api/schema';

type S = components['schemas'];
export type Conversation = S['InboxConversationOut'];
export type Message = S['MessageOut'];
export type HistoryEntry = S['HistoryEntryOut'];
export type Note = S['NoteOut'];
export type Notification = S['NotificationOut'];
export type Agent = S['AgentOut'];
export type Team = S['TeamOut'];
export type CloseReason = S['CloseReasonOut'];
export type QuickReply = S['QuickReplyOut'];
export type WhatsAppTemplate = S['WhatsAppTemplateOut'];
export type MessageIn = S['MessageIn'];
export type Presence = S['PresenceIn']['status'];
export type Priority = S['PriorityIn']['priority'];
