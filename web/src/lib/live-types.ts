/**
 * The live-updates contract with the realtime backend, typed by hand until `/v1/changes` is in
 * openapi.json (then replace with `components['schemas'][...]`).
 */
export interface ChangeFrame {
  /** opaque, sortable */
  cursor: string;
  /** domain event type, e.g. `conversation.assigned`, `message.received` */
  type: string;
  entity_type: string | null;
  entity_id: string | null;
  conversation_id: string | null;
  data: Record<string, unknown>;
}

export interface ChangesPage {
  items: ChangeFrame[];
  cursor: string;
  /** more changes after this page (absent: keep asking while pages are not empty) */
  has_more?: boolean;
}
