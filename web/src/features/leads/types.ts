/**
 * The lead flow's shapes, as issue 13's route contract spells them ("Routes the checks use").
 * Fields beyond the contract are optional: the screens show them when the API sends them.
 */
export type LeadStatus = 'none' | 'in_progress' | 'completed';
export type Outcome = 'positive' | 'negative' | 'partial' | 'unclassified';
export type OutcomeSource = 'ai' | 'operator';
export type AiProvider = 'local' | 'bedrock' | 'openai';

export const LEAD_STATUSES: readonly LeadStatus[] = ['none', 'in_progress', 'completed'];
export const OUTCOMES: readonly Outcome[] = ['positive', 'negative', 'partial', 'unclassified'];
export const AI_PROVIDERS: readonly AiProvider[] = ['local', 'bedrock', 'openai'];

export interface UserRef {
  id: string;
  name?: string | null;
}

export interface LeadPerson {
  id: string;
  name: string;
  email?: string | null;
  phone?: string | null;
  tags?: string[] | null;
  owner_id?: string | null;
  [extra: string]: unknown;
}

export interface LeadNote {
  id: string;
  person_id?: string;
  text: string;
  outcome: Outcome | null;
  outcome_source?: OutcomeSource | string | null;
  outcome_model?: string | null;
  template_id?: string | null;
  tags_applied?: string[] | null;
  closed?: boolean | null;
  author?: UserRef | null;
  author_id?: string | null;
  author_name?: string | null;
  created_at?: string | null;
}

/** One chosen extra datum of a lead (settings `display_fields`), as label + value. */
export interface DisplayValue {
  field: string;
  label?: string | null;
  value: unknown;
}

export interface Lead {
  person: LeadPerson;
  lead_status: LeadStatus;
  last_note: LeadNote | null;
  reserved_by: UserRef | null;
  display?: DisplayValue[] | Record<string, unknown> | null;
  notes_count?: number | null;
  [extra: string]: unknown;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface LeadFilters {
  q?: string;
  status?: LeadStatus | '';
  list_id?: string;
  owner_id?: string;
  outcome?: Outcome | '';
}

export interface NoteIn {
  text?: string;
  template_id?: string;
  close: boolean;
  outcome?: Outcome;
  /** Idempotency: the same id again answers the note already written. */
  client_note_id?: string;
}

export interface NoteTemplate {
  id: string;
  title: string;
  text: string;
  tags: string[];
}

export type NoteTemplateIn = Omit<NoteTemplate, 'id'>;

export interface LeadFlowSettings {
  list_ids: string[];
  display_fields: string[];
  reserve_roles: string[];
  /** `openai_api_key` is write-only; the API answers `openai_key_set` instead. */
  ai: { enabled: boolean; provider: AiProvider; model_id?: string | null; openai_api_key?: string; openai_key_set?: boolean };
}

export interface ReportTotals {
  calls: number;
  unique_leads: number;
  closed: number;
}

/** A report group: the key fields depend on `group_by` (operator / hour / outcome, or operator × hour). */
export interface ReportGroup {
  operator?: UserRef | null;
  operator_id?: string | null;
  operator_name?: string | null;
  hour?: number | string | null;
  outcome?: Outcome | null;
  key?: string | number | null;
  label?: string | null;
  calls?: number;
  unique_leads?: number;
  closed?: number;
  count?: number;
  /** Calls per hour of day within an operator row, when the API nests them. */
  by_hour?: number[] | Record<string, number> | null;
  hours?: number[] | Record<string, number> | null;
  [extra: string]: unknown;
}

export interface Report {
  totals: ReportTotals;
  groups: ReportGroup[];
  /** Notes per outcome over the range (`none`: not classified yet). */
  outcomes?: Record<string, number> | null;
  time_zone?: string | null;
}

export type GroupBy = 'operator' | 'hour' | 'outcome';
